; screen: is not in the allow-list
(set-option :trace true)
(declare-const x Int)
(assert (> x 2))
(check-sat)
