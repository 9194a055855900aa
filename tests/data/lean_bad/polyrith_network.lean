-- screen: `polyrith`
import Mathlib.Tactic
example (x y : ℚ) (h : x = y) : 2 * x = 2 * y := by polyrith
