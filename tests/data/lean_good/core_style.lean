/-! A core-Lean problem with an existence witness, no imports. -/

def inRange (lo hi x : Int) : Prop := lo ≤ x ∧ x ≤ hi

abbrev problem (x y : Int) : Prop :=
  inRange 0 9 x ∧ inRange 0 9 y ∧ x + y = 12 ∧ x ≠ y

instance : DecidablePred (fun p : Int × Int => problem p.1 p.2) := fun _ => by
  unfold problem inRange; infer_instance

set_option maxRecDepth 2000 in
theorem problem_consistent : ∃ x y : Int, problem x y :=
  ⟨5, 7, by decide⟩
