; screen: U+2028
(declare-const x Int)
(assert (> x 2))
; comment (exit)
(check-sat)
