; screen: defines a recursive function
(define-funs-rec ((f ((n Int)) Int)) ((f n)))
(assert (> (f 0) 0))
(check-sat)
