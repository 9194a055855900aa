; screen: `get-value` takes one list of terms
(declare-const x Int)
(assert (> x 2))
(check-sat)
(get-value x)
