; screen: `get-info` is not an allowed command
(declare-const x Int)
(assert (> x 2))
(get-info :all-statistics)
(check-sat)
