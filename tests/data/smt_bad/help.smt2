; screen: `help` is not an allowed command
(help)
(declare-const x Int)
(assert (> x 2))
(check-sat)
