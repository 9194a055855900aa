; screen: U+000B
(declare-const x Int)
(assert (> x 2))
(assert(< x 0))
(check-sat)
