; screen: `)` closes nothing
(declare-const x Int)
(assert (> x 2))
(assert (< x 0)))
(exit)
(check-sat)
