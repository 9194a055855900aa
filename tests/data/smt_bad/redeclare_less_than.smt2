; screen: `<` is SMT-LIB's own symbol
(declare-fun < (Bool Bool) Bool)
(assert (< true false))
(check-sat)
