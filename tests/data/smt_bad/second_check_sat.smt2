; screen: a second `check-sat`
(declare-const x Int)
(assert (> x 2))
(check-sat)
(get-model)
(check-sat)
