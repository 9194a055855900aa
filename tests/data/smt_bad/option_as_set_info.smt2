; screen: names a solver option
(set-info :regular-output-channel "pwned.txt")
(declare-const x Int)
(assert (> x 2))
(check-sat)
