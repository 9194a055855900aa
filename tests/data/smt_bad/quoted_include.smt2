; screen: `include` reads another file
(declare-const x Int)
(assert (> x 2))
(|include| "problem-part-2.smt2")
(check-sat)
