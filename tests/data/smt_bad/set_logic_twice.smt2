; screen: a second `set-logic`
(set-logic QF_LIA)
(set-logic ALL)
(declare-const x Int)
(assert (> x 2))
(check-sat)
