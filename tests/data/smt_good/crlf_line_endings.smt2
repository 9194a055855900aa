; written on Windows
(declare-const x Int)
(assert (> x 2))
(assert (< x 4))
(check-sat)
(get-model)
