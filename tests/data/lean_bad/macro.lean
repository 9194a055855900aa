-- screen: `macro`
macro "solve" : tactic => `(tactic| trivial)
example : True := by solve
