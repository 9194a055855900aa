; screen: is not an SMT-LIB symbol
(declare-const x Int)
(assert (! (> x 2) x:regular-output-channel "pwned.txt"))
(check-sat)
