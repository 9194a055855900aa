; screen: `assert` after `check-sat`
(declare-const x Int)
(assert (> x 2))
(check-sat)
(assert (< x 0))
