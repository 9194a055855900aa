; screen: is a Z3 optimisation command
(declare-const x Int)
(assert (> x 2))
(assert-soft (< x 0) :weight 10)
(check-sat)
