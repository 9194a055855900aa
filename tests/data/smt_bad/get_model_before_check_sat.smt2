; screen: `get-model` before `check-sat`
(declare-const x Int)
(assert (> x 2))
(get-model)
(check-sat)
