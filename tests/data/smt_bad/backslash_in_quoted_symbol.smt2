; screen: a backslash in a |quoted symbol|
(declare-const |a\| Int) (exit) (declare-const |b| Int)
(declare-const x Int)
(assert (> x 2))
(check-sat)
