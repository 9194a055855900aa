-- screen: `Lean.ofReduceBool`
theorem t : True := Lean.ofReduceBool _ _ rfl ▸ trivial
