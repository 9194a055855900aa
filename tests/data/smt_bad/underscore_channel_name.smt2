; screen: sends output to a file
(set-option :REGULAR_OUTPUT_CHANNEL "pwned.txt")
(echo "x")
(declare-const x Int)
(assert (> x 2))
(check-sat)
