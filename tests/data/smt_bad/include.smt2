; screen: `include` reads another file
(include "/etc/passwd")
(declare-const x Int)
(assert (> x 2))
(check-sat)
