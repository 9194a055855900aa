-- screen: attribute `[csimp]`
theorem f_eq : @id Nat = @id Nat := rfl
attribute [csimp] f_eq
