; screen: `declare-const` after `check-sat`
(declare-const x Int)
(assert (> x 2))
(check-sat)
(get-model)
(declare-const y Int)
