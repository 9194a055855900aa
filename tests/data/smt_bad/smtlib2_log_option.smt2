; screen: sends output to a file
(set-option :solver.smtlib2_log "pwned.smt2")
(declare-const x Int)
(assert (> x 2))
(check-sat)
