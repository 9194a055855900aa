"""Proofs about SMT-LIB problems: equivalence, witnesses, interaction, the missing domain."""

from __future__ import annotations

import z3

from retrolean.memory.signature import Signature
from retrolean.tools.signatures import lean_signature, sexprs, smt_signature
from retrolean.tools.smt_proofs import (
    domain_unknowns,
    equivalence,
    interaction,
    missing_domain,
    witness_agreement,
)

X = "(declare-const x Int)(declare-const y Int)"
DOMAINS = {"colours": [r"\bcolour_\w+"], "primes": [r"\bprime_\w+"]}


def holds_in(text: str, assignment: dict) -> bool:
    """Whether the assignment satisfies the text (checked by Z3 independently of the proof)."""
    solver = z3.Solver()
    solver.add(*z3.parse_smt2_string(text))
    solver.add(*[z3.Int(k) == v for k, v in assignment.items()])
    return solver.check() == z3.sat


def test_the_same_bounds_written_differently_are_proved_equivalent():
    one = X + "(assert (and (<= 0 x 3) (< x y) (<= y 5)))"
    two = X + "(assert (>= x 0))(assert (not (> x 3)))(assert (> y x))(assert (< y 6))"
    proof = equivalence(one, two)
    assert proof.outcome == "holds" and proof.counterexample is None


def test_a_changed_constant_is_refuted_with_an_assignment_that_meets_one_side_only():
    one, two = X + "(assert (<= 0 x 3))(assert (= y 2))", X + "(assert (<= 0 x 4))(assert (= y 2))"
    proof = equivalence(one, two)
    assert proof.outcome == "fails" and proof.holds_in == "round trip"
    cx = proof.counterexample
    assert holds_in(two, cx) and not holds_in(one, cx)


def test_other_unknowns_leave_equivalence_undecided_and_say_which():
    proof = equivalence(X + "(assert (< x y))", "(declare-const a Int)(declare-const y Int)"
                                                "(assert (< a y))")
    assert proof.outcome == "undecided" and "lacks x" in proof.reason
    assert "declares a" in proof.reason


def test_a_time_out_is_undecided_never_a_pass():
    hard = ("(declare-const a Int)(declare-const b Int)(declare-const c Int)"
            "(assert (> a 1))(assert (> b 1))(assert (> c 1))"
            "(assert (= (+ (* a a a) (* b b b)) (* c c c)))")
    other = hard + "(assert (< a 1000000))"
    proof = equivalence(hard, other, timeout_ms=1)
    assert proof.outcome == "undecided" and not proof.holds


def test_commands_in_untrusted_text_are_read_not_run():
    text = X + '(set-option :timeout 1)(assert (< x y))(check-sat)(get-model)(echo "hi")(exit)'
    assert equivalence(text, X + "(assert (< x y))").holds


def test_witnesses_cross_checked_on_shared_unknowns():
    a = X + "(assert (< x y))"
    b = X + "(declare-const z Int)(assert (< x y))(assert (= z 1))"
    assert witness_agreement(a, {"x": 0, "y": 1}, b, {"x": 0, "y": 2, "z": 1}).holds
    bad = witness_agreement(a, {"x": 0, "y": 1}, X + "(assert (> x y))", {"x": 1, "y": 0})
    assert bad.outcome == "fails" and bad.counterexample == {"x": 0, "y": 1}
    assert witness_agreement(a, None, b, {"x": 0}).outcome == "undecided"


LINKED = ("(declare-const colour_v0 Int)(declare-const colour_v1 Int)"
          "(declare-const prime_p0 Int)"
          "(assert (and (<= 0 colour_v0 3) (<= 0 colour_v1 3)))"
          "(assert (distinct colour_v0 colour_v1))(assert (<= 2 prime_p0 7))")


def test_a_link_the_rest_implies_is_found_redundant():
    vacuous = interaction(LINKED + "(assert (<= colour_v0 (+ prime_p0 1)))", DOMAINS)
    assert vacuous.links == 1 and vacuous.non_redundant == 0 and vacuous.connected
    assert vacuous.redundant == ["(<= colour_v0 (+ prime_p0 1))"] and not vacuous.holds
    binding = interaction(LINKED + "(assert (= colour_v1 prime_p0))", DOMAINS)
    assert binding.holds and binding.non_redundant == 1 and binding.vacuous_at == []


def test_domains_side_by_side_are_not_connected():
    apart = interaction(LINKED, DOMAINS)
    assert apart.links == 0 and apart.connected is False and apart.unconnected == ["primes"]


def test_a_missing_domain_is_proved_missing_and_caught_when_put_back():
    original = LINKED + "(assert (= colour_v1 prime_p0))"
    without = ("(declare-const colour_v0 Int)(declare-const colour_v1 Int)"
               "(assert (and (<= 0 colour_v0 3) (<= 0 colour_v1 3)))"
               "(assert (distinct colour_v0 colour_v1))")
    gone = missing_domain(without, original, "primes", DOMAINS)
    assert gone.dropped.outcome == "holds" and gone.entails == {"colours": True}
    assert not holds_in("(declare-const prime_p0 Int)(assert (<= 2 prime_p0 7))",
                        gone.dropped.counterexample)
    back = missing_domain(without + "(declare-const prime_p0 Int)(assert (= prime_p0 5))",
                          original, "primes", DOMAINS)
    assert back.dropped.outcome == "fails"


def test_signatures_are_read_without_running_anything():
    text = ('; a comment (declare-const fake Int)\n(declare-const |odd name| Int)'
            '(declare-fun f (Int) Bool)(declare-fun c () Int)(assert (f c))(echo "(")')
    assert [(u.name, u.sort) for u in smt_signature(text).unknowns] == [
        ("odd name", "Int"), ("f", "(Int) Bool"), ("c", "Int")]
    assert sexprs("(a (b c)) ; x") == [["a", ["b", "c"]]]
    lean = "abbrev problem (x y : Int) (b : Bool) : Prop := x < y"
    assert lean_signature(lean).names == ["x", "y", "b"]
    assert lean_signature("theorem t : True := trivial") is None
    assert Signature.of_names(["x", "y"]).render("lean4") == "(x y : Int)"


def test_domain_unknowns_follow_the_touchstones():
    assert domain_unknowns(["colour_v0", "prime_p0", "aux"], DOMAINS) == {
        "colours": {"colour_v0"}, "primes": {"prime_p0"}}


def test_an_option_in_a_proved_text_does_not_reach_z3s_global_parameters():
    """parse_smt2_string runs set-option on Z3's global parameters: a `:timeout 1` in one
    proved text would cut every later check in the process. Only declarations and
    assertions are parsed."""
    equivalence(X + "(set-option :timeout 1)(assert (< x y))", X + "(assert (< x y))")
    assert z3.get_param("timeout") != "1"
