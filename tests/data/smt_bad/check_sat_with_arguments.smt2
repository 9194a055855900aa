; screen: `check-sat` takes no arguments
(declare-const x Int)
(assert (> x 2))
(check-sat x)
