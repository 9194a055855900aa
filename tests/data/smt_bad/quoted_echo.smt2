; screen: `echo` prints text
; |echo| names the same command as echo
(|echo| "hello")
(declare-const x Int)
(assert (> x 2))
(check-sat)
