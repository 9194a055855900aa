; screen: `eval` is not an allowed command
(declare-const x Int)
(assert (> x 2))
(check-sat)
(eval x)
