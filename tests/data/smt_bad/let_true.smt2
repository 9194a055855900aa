; screen: `true` is SMT-LIB's own symbol
(declare-const x Int)
(assert (let ((true (< x 0))) (and true (> x 2))))
(check-sat)
