; screen: sends output to a file
(set-option :sat.drat.file "pwned.drat")
(declare-const x Int)
(assert (> x 2))
(check-sat)
