; screen: `get-assertions` is not an allowed command
(declare-const x Int)
(assert (> x 2))
(check-sat)
(get-assertions)
