; screen: U+001B
(declare-const x Int)
(assert (> x 2))
; [2K[1A(check-sat) hidden by a terminal escape
(assert (< x 0))
(check-sat)
