; screen: a carriage return without a newline
(declare-const x Int)
(assert (> x 2)) ; an editor shows the next assert on its own line(assert (< x 0))
(check-sat)
