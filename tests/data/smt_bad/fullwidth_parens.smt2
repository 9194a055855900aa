; screen: is not an SMT-LIB symbol
(declare-const x Int)
(assert (> x 2))
（echo "x"）
(check-sat)
