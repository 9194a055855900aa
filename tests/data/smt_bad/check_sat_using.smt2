; screen: `check-sat-using` checks with a chosen tactic
(declare-const x Int)
(assert (> x 2))
(check-sat-using (using-params smt :sat.drat.file "pwned.drat"))
