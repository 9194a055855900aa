; screen: is a Z3 optimisation command
(declare-const x Int)
(assert (> x 2))
(maximize x)
(check-sat)
