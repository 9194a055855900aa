; screen: `pop` throws away
(declare-const x Int)
(assert (> x 2))
(assert false)
(pop 1)
(check-sat)
