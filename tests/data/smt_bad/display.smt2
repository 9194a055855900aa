; screen: `display` is not an allowed command
(declare-const x Int)
(assert (> x 2))
(display x)
(check-sat)
