; screen: no `(check-sat)`
(declare-const x Int)
(assert (> x 2))
(assert (< x 10))
