; screen: U+202E
(declare-const x Int)
(assert (> x 2))
(assert (< x 0)) ; ‮)0 > x( tressa
(check-sat)
