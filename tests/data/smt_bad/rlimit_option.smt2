; screen: would change the checker's limits
(set-option :rlimit 0)
(declare-const x Int)
(assert (> x 2))
(check-sat)
