; screen: `push` opens an assertion scope
(declare-const x Int)
(assert (> x 2))
(push 1)
(assert (< x 0))
(pop 1)
(check-sat)
