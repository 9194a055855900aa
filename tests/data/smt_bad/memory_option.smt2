; screen: would change the checker's limits
(set-option :memory_max_size 100000)
(declare-const x Int)
(assert (> x 2))
(check-sat)
