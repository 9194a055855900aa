/-! witness -/

lemma helper (n : Nat) : n + 0 = n := by
  sorry

abbrev problem (x : Int) : Prop := 0 ≤ x ∧ x ≤ 3

theorem problem_consistent : ∃ x : Int, problem x :=
  ⟨2, by decide⟩

theorem typo : 1 = 1 := by exact rfl'

#check problem_consistent
