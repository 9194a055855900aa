; screen: `get-proof` is not an allowed command
(declare-const x Int)
(assert (> x 2))
(check-sat)
(get-proof)
