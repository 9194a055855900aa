-- screen: `#eval!`
#eval! (1 : Nat)
