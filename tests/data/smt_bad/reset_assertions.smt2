; screen: `reset-assertions` throws away
(declare-const x Int)
(assert (> x 2))
(assert (< x 0))
(reset-assertions)
(assert (> x 5))
(check-sat)
