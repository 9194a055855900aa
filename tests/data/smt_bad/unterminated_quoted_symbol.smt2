; screen: quoted symbol is never closed
(declare-const x Int)
(assert (> x 2))
(declare-const |y Int)
(check-sat)
