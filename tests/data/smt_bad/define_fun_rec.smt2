; screen: defines a recursive function
(define-fun-rec f ((n Int)) Int (+ (f n) 1))
(assert (= (f 0) 0))
(check-sat)
