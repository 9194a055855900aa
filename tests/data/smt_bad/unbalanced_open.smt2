; screen: is never closed
(declare-const x Int)
(assert (> x 2))
(assert (< x 0)
(check-sat)
