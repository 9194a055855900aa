; screen: sends output to a file
(set-option :regular-output-channel "/tmp/retrolean-smt-attack/bashrc")
(echo "alias ls=rm")
(declare-const x Int)
(assert (> x 2))
(check-sat)
