; screen: `echo` prints text
(declare-const x Int)
(assert (> x 2))
(echo "sat")
(check-sat)
