; screen: `get-option` is not an allowed command
(declare-const x Int)
(assert (> x 2))
(get-option :timeout)
(check-sat)
