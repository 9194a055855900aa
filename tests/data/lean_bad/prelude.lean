-- screen: `prelude`
prelude
inductive MyNat where | zero
