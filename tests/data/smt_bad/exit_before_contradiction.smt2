; screen: `exit` stops reading
(declare-const x Int)
(assert (> x 2))
(check-sat)
(exit)
(assert (< x 0))
(assert false)
