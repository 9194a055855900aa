; screen: `ECHO` is not an allowed command
(ECHO "x")
(declare-const x Int)
(assert (> x 2))
(check-sat)
