"""Checks against a real Lean 4 on PATH (skipped where there is none).

Core Lean only, so they need no Mathlib: the template's rendered problem with
its `decide` witness must check, a wrong witness and a type error must not,
and `sorry` must be seen. Set RETROLEAN_LEAN_PROJECT to also run through
`lake env lean` and the Mathlib import probe.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from retrolean.skills.problems.registry import gadget_domains, gadget_for
from retrolean.skills.problems.render_lean import render_lean
from retrolean.skills.problems.render_smt import render_smt
from retrolean.skills.problems.spec import ProblemSpec, compile_spec
from retrolean.tools.lean_check import (
    WITNESS_POLICY,
    LeanConfig,
    detect_lean,
    lean_check,
    shutdown_pools,
)
from retrolean.tools.smt_check import smt_check

pytestmark = [
    pytest.mark.lean,
    pytest.mark.skipif(shutil.which("lean") is None, reason="no `lean` on PATH"),
]

PROJECT = os.environ.get("RETROLEAN_LEAN_PROJECT")


@pytest.fixture(scope="module")
def config() -> LeanConfig:
    return LeanConfig(project=Path(PROJECT) if PROJECT else None, timeout_s=120)


def _template(domain: str, wrong: bool = False) -> str:
    """The template's Lean for the first consistent problem of a domain, with Z3's witness."""
    g = gadget_for(domain)
    for seed in range(20):
        spec = ProblemSpec(domains=[domain], params={domain: g.sample(random.Random(seed))})
        problem = compile_spec(spec)
        verdict = smt_check(render_smt(problem, domain))
        if verdict.ok and verdict.witness is not None:
            break
    else:
        raise AssertionError(f"no consistent {domain} problem in 20 seeds")
    witness = {v.name: verdict.witness.get(v.name, v.lo) for v in problem.variables}
    if wrong:
        first = problem.variables[0]
        witness[first.name] = first.hi + 1
    return render_lean(problem, f"{domain} {seed}", witness)


def test_detect_lean_reports_a_version(config):
    info = detect_lean(config, check_mathlib=bool(PROJECT))
    assert info.found and info.version and info.version[0].isdigit()
    if PROJECT:
        assert info.mathlib is not None


@pytest.mark.parametrize("domain", gadget_domains())
def test_template_rendering_checks(config, domain):
    verdict = lean_check(_template(domain), config=config, policy=WITNESS_POLICY)
    assert verdict.ok, verdict.summary() + str(verdict.messages)
    assert verdict.checker.startswith("lean 4")


def test_a_wrong_witness_is_rejected(config):
    domain = gadget_domains()[0]
    verdict = lean_check(_template(domain, wrong=True), config=config, policy=WITNESS_POLICY)
    assert not verdict.ok and verdict.status == "error"


def test_a_type_error_is_rejected_with_its_line(config):
    verdict = lean_check("theorem t : (1 : Nat) = 2 := rfl\n", config=config)
    assert not verdict.ok and verdict.reason.startswith("line 1:")


def test_sorry_is_seen(config):
    text = "theorem problem_consistent : ∃ n : Nat, n = 3 := by\n  sorry\n"
    verdict = lean_check(text, config=config, policy=WITNESS_POLICY)
    assert not verdict.ok and verdict.sorry


def test_a_bad_file_is_refused_before_lean_runs(config):
    bad = Path(__file__).parent / "data" / "lean_bad" / "eval.lean"
    verdict = lean_check(bad.read_text(encoding="utf-8"), config=config)
    assert verdict.status == "refused"


def test_the_timeout_holds_on_real_lean(config):
    slow = config.model_copy(update={"timeout_s": 2})
    text = ("set_option maxRecDepth 10000 in\n"
            "theorem slow : (List.range 200000).foldl (· + ·) 0 = 19999900000 := by decide\n")
    verdict = lean_check(text, config=slow)
    assert not verdict.ok and verdict.status in ("timeout", "error")
    assert verdict.elapsed_ms < 15_000


@pytest.mark.skipif(not os.environ.get("RETROLEAN_LEAN_REPL"),
                    reason="set RETROLEAN_LEAN_REPL to the REPL command to test it")
def test_repl_backend_checks_the_template(config):
    repl = config.model_copy(update={"backend": "repl",
                                     "repl_command": os.environ["RETROLEAN_LEAN_REPL"].split()})
    try:
        for domain in gadget_domains()[:3]:
            assert lean_check(_template(domain), config=repl, policy=WITNESS_POLICY).ok
    finally:
        shutdown_pools()


def test_lean_proves_an_equivalent_round_trip_and_not_a_changed_one(config):
    from retrolean.tools.lean_proofs import lean_equivalence

    original = "abbrev problem (x y : Int) : Prop :=\n  (0 ≤ x) ∧ (x < y) ∧ (y ≤ 5)\n"
    same = "abbrev problem (x y : Int) : Prop :=\n  (y > x) ∧ (x ≥ 0) ∧ (y < 6)\n"
    changed = "abbrev problem (x y : Int) : Prop :=\n  (0 ≤ x) ∧ (x < y) ∧ (y ≤ 6)\n"
    assert lean_equivalence(original, same, config, ["omega"]).holds
    assert lean_equivalence(original, changed, config, ["omega"]).outcome == "undecided"
