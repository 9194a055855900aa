; screen: is not an SMT-LIB symbol
(declare-const höhe Int)
(assert (> höhe 2))
(check-sat)
