; screen: is not an SMT-LIB symbol
(declare-const x Int)
(assert (> x 2))
(еcho "x")
(check-sat)
