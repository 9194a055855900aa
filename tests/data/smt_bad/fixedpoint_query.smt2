; screen: is a Z3 fixedpoint command
(declare-rel r (Int))
(rule (r 1))
(query r)
(check-sat)
