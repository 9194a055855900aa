; screen: would change the checker's limits
(set-option :timeout 4294967295)
(declare-const x Int)
(assert (> x 2))
(check-sat)
