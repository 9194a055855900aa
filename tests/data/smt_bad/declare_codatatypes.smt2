; screen: `declare-codatatypes` is not an allowed command
(declare-codatatypes ((S 0)) (((cons (hd Int) (tl S)))))
(declare-const x Int)
(assert (> x 2))
(check-sat)
