; screen: attribute `:regular-output-channel` is not in the allow-list
(declare-const x Int)
(assert (! (> x 2) :regular-output-channel "pwned.txt"))
(check-sat)
