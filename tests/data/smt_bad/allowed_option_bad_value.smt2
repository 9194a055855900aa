; screen: takes true or false
(set-option :produce-models "pwned.txt")
(declare-const x Int)
(assert (> x 2))
(check-sat)
