; screen: U+200B
(declare-const x Int)
(assert (> x 2))
(ex​it)
(check-sat)
