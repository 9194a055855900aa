; screen: `set-info` takes a keyword and at most one plain value
(set-info :source (set-option :regular-output-channel "pwned.txt"))
(declare-const x Int)
(assert (> x 2))
(check-sat)
