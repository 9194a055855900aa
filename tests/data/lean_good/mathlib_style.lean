import Mathlib.Tactic
import Mathlib.Data.Nat.Prime.Basic

/-!
# Sums and primes

Ordinary Mathlib-style statements: binders, big operators, tactic blocks.
-/

open Finset BigOperators

namespace Retro

variable {α : Type*} [LinearOrderedField α]

/-- Gauss: twice the sum of `0, …, n` is `n * (n + 1)`. -/
theorem two_mul_sum_range (n : ℕ) : 2 * ∑ i ∈ range (n + 1), i = n * (n + 1) := by
  induction n with
  | zero => simp
  | succ k ih =>
    rw [sum_range_succ, mul_add, ih]
    ring

@[simp] lemma sq_nonneg' (x : α) : 0 ≤ x ^ 2 := by positivity

set_option maxHeartbeats 400000 in
theorem exists_prime_gt (n : ℕ) : ∃ p, n < p ∧ p.Prime := by
  obtain ⟨p, hp, hprime⟩ := Nat.exists_infinite_primes (n + 1)
  exact ⟨p, by omega, hprime⟩

theorem eps_delta (f : ℝ → ℝ) (hf : ∀ x y, |f x - f y| ≤ |x - y|) :
    ∀ ε > 0, ∃ δ > 0, ∀ x₁ x₂, |x₁ - x₂| < δ → |f x₁ - f x₂| < ε := by
  intro ε hε
  exact ⟨ε, hε, fun x₁ x₂ h => lt_of_le_of_lt (hf x₁ x₂) h⟩

attribute [local simp] mul_comm in
example (a b : ℕ) : a * b = b * a := by simp

theorem uses_sorry_in_statement_only : True := trivial

end Retro

#check Retro.two_mul_sum_range
#print axioms Retro.exists_prime_gt
