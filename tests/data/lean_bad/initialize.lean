-- screen: `initialize`
initialize counter : Nat ← pure 0
