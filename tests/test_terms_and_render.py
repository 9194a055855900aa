"""The term language: evaluation agrees with Z3, and both renderings are well formed."""

from __future__ import annotations

import random

import z3

from retrolean.skills.formalize.template import formalize_spec, render
from retrolean.skills.problems.render_lean import lean_term
from retrolean.skills.problems.render_smt import smt_term
from retrolean.skills.problems.terms import (
    Const,
    add,
    distinct,
    eq,
    evaluate,
    ite,
    le,
    lt,
    mod,
    var,
)


def test_euclidean_mod_matches_z3_for_negative_numbers():
    ctx = z3.Context()  # its own context: nothing another test did to Z3 reaches it
    for a in range(-9, 10):
        for m in (2, 3, 5):
            solver = z3.Solver(ctx=ctx)
            term = smt_term(Const(a))
            solver.from_string(f"(declare-const r Int)(assert (= r (mod {term} {m})))")
            answer = solver.check()
            assert answer == z3.sat, (a, m, answer, solver.reason_unknown())
            assert solver.model()[z3.Int("r", ctx)].as_long() == evaluate(mod(a, m), {})


def test_smt_rendering_of_nested_terms():
    t = le(add("x", -3), ite(lt("x", 2), 1, mod("x", 4)))
    assert smt_term(t) == "(<= (+ x (- 3)) (ite (< x 2) 1 (mod x 4)))"


def test_lean_rendering_expands_distinct_pairwise():
    assert lean_term(distinct("a", "b", "c")) == "(a ≠ b ∧ a ≠ c ∧ b ≠ c)"
    assert lean_term(eq(var("x"), -2)) == "(x = (-2))"


def test_lean_rendering_carries_the_witness_proof():
    spec = formalize_spec(["graph_colouring", "primes"], None, random.Random(4))
    text = render(spec, "lean4", witness=None)
    assert "abbrev problem" in text and "theorem" not in text
    smt = render(spec, "smtlib2")
    solver = z3.Solver()
    solver.from_string(smt)
    if solver.check() == z3.sat:
        model = solver.model()
        witness = {d.name(): model[d].as_long() for d in model.decls()}
        lean = render(spec, "lean4", witness)
        assert "theorem problem_consistent" in lean and "by decide" in lean
