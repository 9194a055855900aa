; screen: is not in the allow-list
(set-option :smt.arith.dump_lemmas true)
(declare-const x Int)
(assert (> x 2))
(check-sat)
