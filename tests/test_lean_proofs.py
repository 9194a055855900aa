"""The round trip in Lean 4: a generated `↔` theorem, checked like every Lean text."""

from __future__ import annotations

from lean_standins import events, standin_config

from retrolean.tools.lean_proofs import (
    equivalence_text,
    lean_equivalence,
    lean_witness_agreement,
    witness_text,
)

ORIGINAL = ("abbrev problem (x y : Int) : Prop :=\n  (0 ≤ x) ∧ (x < y) ∧ (y ≤ 5)\n\n"
            "theorem problem_consistent : ∃ x y : Int,\n    problem x y :=\n  ⟨0, 1, by decide⟩\n")
ROUNDTRIP = ORIGINAL.replace("(0 ≤ x) ∧ (x < y) ∧ (y ≤ 5)", "(x ≥ 0) ∧ (y > x) ∧ (y < 6)")


def test_the_theorem_states_equivalence_over_the_shared_signature_with_the_tactics():
    text = equivalence_text(ORIGINAL, "import Mathlib\n" + ROUNDTRIP, ["omega", "simp"])
    assert text is not None and text.startswith("import Mathlib")
    assert "namespace Original" in text and "end Roundtrip" in text
    assert ("theorem roundtrip_equivalent : ∀ (x y : Int),\n    Original.problem x y ↔ "
            "Roundtrip.problem x y := by") in text
    assert "try simp only [Original.problem, Roundtrip.problem]" in text
    assert "first\n  | (omega)\n  | (simp)" in text and "sorry" not in text


def test_other_unknowns_give_no_theorem_and_leave_it_undecided(tmp_path):
    other = ROUNDTRIP.replace("(x y : Int)", "(a y : Int)")
    assert equivalence_text(ORIGINAL, other, ["omega"]) is None
    proof = lean_equivalence(ORIGINAL, other, standin_config(tmp_path))
    assert proof.outcome == "undecided" and "lacks x" in proof.reason


def test_lean_accepting_the_theorem_proves_it_and_failing_leaves_it_open(tmp_path):
    config = standin_config(tmp_path)
    assert lean_equivalence(ORIGINAL, ROUNDTRIP, config).holds
    assert events(tmp_path, "start"), "the theorem was checked by (stand-in) Lean"
    broken = ROUNDTRIP.replace("(y < 6)", "(y < broken)")
    proof = lean_equivalence(ORIGINAL, broken, config)
    assert proof.outcome == "undecided" and not proof.holds  # weak tactics prove nothing


def test_witnesses_are_plugged_across_by_decide(tmp_path):
    text = witness_text(ORIGINAL, {"x": 0, "y": -1}, ROUNDTRIP, "Roundtrip")
    assert text.endswith("theorem witness_solves : Roundtrip.problem 0 (-1) := by decide\n")
    assert witness_text(ORIGINAL, {"x": 0}, ROUNDTRIP, "Roundtrip") is None
    proof = lean_witness_agreement(ORIGINAL, {"x": 0, "y": 1}, ROUNDTRIP, {"x": 1, "y": 2},
                                   standin_config(tmp_path))
    assert proof.holds
