-- screen: `axiom`
axiom cheat : False
theorem anything : 1 = 2 := cheat.elim
