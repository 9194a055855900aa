; screen: a command must start with its name
(:echo "x")
(declare-const x Int)
(assert (> x 2))
(check-sat)
