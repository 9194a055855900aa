; screen: `exit` stops reading
(declare-const x Int)
(assert (> x 2))
(|exit|)
(assert false)
(check-sat)
