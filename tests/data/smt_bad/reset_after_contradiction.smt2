; screen: `reset` throws away
(declare-const x Int)
(assert (and (> x 2) (< x 1)))
(reset)
(declare-const x Int)
(assert (> x 2))
(check-sat)
