; screen: U+000C
(declare-constx Int)
(assert (> x 2))
(check-sat)
