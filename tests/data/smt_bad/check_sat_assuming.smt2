; screen: checks under extra assumptions
(declare-const p Bool)
(assert (=> p false))
(check-sat-assuming (p))
