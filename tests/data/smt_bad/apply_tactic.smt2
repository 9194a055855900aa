; screen: `apply` is not an allowed command
(declare-const x Int)
(assert (> x 2))
(apply (then simplify solve-eqs))
(check-sat)
