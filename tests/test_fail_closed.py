"""Checks fail closed: what could not be decided is never a pass; what was decided says how."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrolean.agent.pipeline import RunOptions, checks_context
from retrolean.agent.runner import drive, start
from retrolean.agent.settings import Settings
from retrolean.recipes.backends.base import Failure, FormalDraft
from retrolean.recipes.plans import stage_problems
from retrolean.recipes.recipe import StageSpec
from retrolean.recipes.records import Record
from retrolean.recipes.stages.context import StageResult
from retrolean.recipes.stages.english import roundtrip
from retrolean.recipes.stages.formal import presence
from retrolean.recipes.stages.personas import verify_missing
from retrolean.tools.formal_text import code_in_caption
from retrolean.tools.judge import JudgeScore
from retrolean.tools.save_set import load_set
from retrolean.tools.smt_check import smt_check


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Settings, Path]:
    settings = Settings(workspace=tmp_path_factory.mktemp("closed") / "ws", formal="smtlib2")
    session = start(settings, RunOptions(goal="g", n=12, seed=4))
    drive(session)
    session.close()
    return settings, session.runtime.run_dir


def records(run_dir: Path, stage: str) -> list[Record]:
    return [Record.model_validate(r) for r in load_set(run_dir / "sets" / f"{stage}.jsonl")]


def context(settings: Settings, run_dir: Path, stage: str, **backend_overrides):
    import json

    plan = json.loads((run_dir / "plan.json").read_text())
    ctx = checks_context(settings, plan)(stage)
    for name, value in backend_overrides.items():
        setattr(ctx.backend, name, value)
    return ctx


def test_a_caption_that_cannot_be_formalized_again_is_rejected_as_undecided(run):
    settings, run_dir = run
    ctx = context(settings, run_dir, "roundtrip",
                  reformalize=lambda items, lang: [Failure("asked back: which figures?")
                                                   for _ in items])
    result = roundtrip(records(run_dir, "roundtrip"), ctx)
    assert not result.accepted and result.rejected
    for r in result.rejected:
        assert r.reject.reason.startswith("undecided") and "asked back" in r.reject.reason
        assert r.english.roundtrip.outcome == "undecided"


def test_a_round_trip_that_does_not_check_is_rejected_not_compared(run):
    settings, run_dir = run
    unsat = "(declare-const x Int)(assert (> x 1))(assert (< x 0))(check-sat)"
    ctx = context(settings, run_dir, "roundtrip",
                  reformalize=lambda items, lang: [FormalDraft(unsat) for _ in items])
    result = roundtrip(records(run_dir, "roundtrip"), ctx)
    assert not result.accepted
    assert all("does not check" in r.reject.reason for r in result.rejected)


def test_a_checker_time_out_is_undecided_never_a_pass(run):
    settings, run_dir = run
    hard = ("(declare-const a Int)(declare-const b Int)(declare-const c Int)(assert (> a 1))"
            "(assert (> b 1))(assert (= (+ (* a a a) (* b b b)) (* c c c)))(check-sat)")
    ctx = context(settings.model_copy(update={"z3_timeout_ms": 1}), run_dir, "roundtrip",
                  reformalize=lambda items, lang: [FormalDraft(hard) for _ in items])
    result = roundtrip(records(run_dir, "roundtrip")[:2], ctx)
    assert not result.accepted
    assert all(r.english.roundtrip.check.status in ("timeout", "unknown")
               for r in result.rejected)


def test_a_changed_caption_is_refuted_with_its_counterexample(run):
    settings, run_dir = run
    ctx = context(settings, run_dir, "roundtrip")
    record = records(run_dir, "roundtrip")[0]
    spec_text = record.formal.text
    sentences = record.english.text.split(". ")
    record.english.text = ". ".join(s for s in sentences if not s.startswith(("Item", "Each",
                                                                               "The sum")))
    result = roundtrip([record], ctx)
    assert result.rejected and not result.accepted
    rt = result.rejected[0].english.roundtrip
    assert rt.method == "equivalence" and rt.outcome == "fail" and rt.counterexample
    assert smt_check(spec_text).ok  # the original itself is fine; the caption lost a link


def test_other_unknowns_fall_back_to_the_witness_and_say_so(run):
    settings, run_dir = run
    record = records(run_dir, "roundtrip")[0]

    first = record.formal.text.split("(declare-const ", 1)[1].split()[0]

    def renamed(items, lang):  # one unknown renamed: the rest are shared
        return [FormalDraft(record.formal.text.replace(f"{first} ", f"{first}_renamed ")
                            .replace(f"{first})", f"{first}_renamed)")) for _ in items]

    result = roundtrip([record], context(settings, run_dir, "roundtrip", reformalize=renamed))
    assert result.accepted
    rt = result.accepted[0].english.roundtrip
    assert rt.proofs[0].outcome == "undecided" and f"lacks {first}" in rt.proofs[0].reason
    assert (rt.method, rt.outcome) == ("witness", "pass") and rt.proofs[1].holds


def test_a_judge_that_says_neither_yes_nor_no_leaves_presence_undecided(run):
    settings, run_dir = run
    ctx = context(settings, run_dir, "presence")
    ctx.backend.client = object()  # a backend that can ask a judge …
    ctx.backend.judge_presence = lambda items: [  # … which never answers yes or no
        JudgeScore(p_yes=0.5, log_odds=0.0, method="sampling", n=5, decided=False)
        for _ in items]
    ctx.tools.names = ctx.tools.names | {"judge"}
    result = presence(records(run_dir, "presence"), ctx)
    assert not result.accepted and result.rejected
    assert all(r.reject.reason.startswith("undecided: the judge") for r in result.rejected)
    assert all(p.method == "judge-undecided" for r in result.rejected
               for p in r.presence.values())


def test_a_missing_domain_version_that_could_not_be_formalized_is_rejected(run):
    settings, run_dir = run
    ctx = context(settings, run_dir, "missing",
                  reformalize=lambda items, lang: [Failure("asked back") for _ in items])
    result = StageResult()
    verify_missing(records(run_dir, "missing"), ctx, result)
    assert not result.accepted and result.rejected
    assert all(r.reject.reason.startswith("undecided") for r in result.rejected)


def test_a_missing_domain_put_back_is_caught(run):
    settings, run_dir = run
    ctx = context(settings, run_dir, "missing")
    kept = records(run_dir, "missing")
    for r in kept:
        r.missing.text += " " + r.personas[r.missing.persona].segments[r.missing.dropped]
    result = StageResult()
    verify_missing(kept, ctx, result)
    assert not result.accepted and len(result.rejected) == len(kept)


def test_plans_that_skip_a_check_are_refused():
    plan = [StageSpec(name="formalize", tools=["generate"]),
            StageSpec(name="caption", tools=["generate"]),
            StageSpec(name="personas", tools=["generate"])]
    problems = stage_problems(plan)
    assert any("never runs stage 'presence'" in p for p in problems)
    assert any("never runs stage 'roundtrip'" in p for p in problems)


def test_a_caption_with_code_identifiers_is_not_english():
    smt = "(declare-const colour_v0 Int)(assert (> colour_v0 1))"
    assert code_in_caption("Make colour_v0 bigger than one.", smt, "smtlib2")
    assert code_in_caption("(assert (> x 1)) must hold.", smt, "smtlib2")
    assert not code_in_caption("Colour vertex 0 with a colour above one; CH4 burns.", smt,
                               "smtlib2")
