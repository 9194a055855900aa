; screen: a backslash before a quote
; older Z3 reads \" as a quote inside the string, so (exit) would be a command there
(set-info :source "C:\")
(set-info :notes " (exit) ")
(declare-const x Int)
(assert (> x 2))
(check-sat)
