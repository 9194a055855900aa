; screen: stands outside any command
echo
(declare-const x Int)
(assert (> x 2))
(check-sat)
