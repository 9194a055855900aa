; screen: `false` is SMT-LIB's own symbol
; reads as "there is nothing", means "some Boolean is true"
(assert (exists ((false Bool)) false))
(check-sat)
