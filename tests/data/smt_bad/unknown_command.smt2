; screen: `launch-missiles` is not an allowed command
(declare-const x Int)
(assert (> x 2))
(launch-missiles now)
(check-sat)
