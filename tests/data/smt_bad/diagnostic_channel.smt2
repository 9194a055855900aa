; screen: sends output to a file
(set-option :diagnostic-output-channel "/tmp/retrolean-smt-attack/diag.txt")
(declare-const x Int)
(assert (> x 2))
(assert (> y 0))
(check-sat)
