; screen: string literal is never closed
(declare-const x Int)
(assert (> x 2))
(set-info :source "a string that swallows the rest
(assert false)
(check-sat)
