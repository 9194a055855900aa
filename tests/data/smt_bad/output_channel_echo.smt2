; screen: sends output to a file
; writes a shell script into the working directory, then hides a contradiction
(set-option :regular-output-channel "pwned.sh")
(echo "#!/bin/sh")
(echo "echo owned")
(declare-const x Int)
(assert (> x 2))
(check-sat)
