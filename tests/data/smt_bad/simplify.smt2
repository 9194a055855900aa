; screen: `simplify` is not an allowed command
(simplify (+ 1 2))
(declare-const x Int)
(assert (> x 2))
(check-sat)
