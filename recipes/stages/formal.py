"""Stages 2–3 of the recipe: formalize and check; make sure every domain is present."""

from __future__ import annotations

from retrolean.recipes.backends.base import Failure, FormalDraft
from retrolean.recipes.records import Formal, PresenceCheck, Record
from retrolean.recipes.stages.context import StageContext, StageResult
from retrolean.skills.problems.spec import ProblemSpec


def draft_of(record: Record) -> FormalDraft:
    """The record's formal problem as a backend draft."""
    assert record.formal is not None
    spec = ProblemSpec.model_validate(record.formal.spec) if record.formal.spec else None
    witness = record.formal.check.witness if record.formal.check else None
    return FormalDraft(text=record.formal.text, spec=spec, witness=witness)


def formalize(records: list[Record], ctx: StageContext) -> StageResult:
    """Write each domain combination as a formal problem; keep those the checkers accept."""
    result = StageResult()
    items = [(r.domains, r.theme, ctx.rng(r.id, "formalize")) for r in records]
    drafts = ctx.generate(f"formalize.{ctx.language}", items, lambda: ctx.backend.formalize(
        items, ctx.language, ctx.recipe.parameters))
    written = [d for d in drafts if isinstance(d, FormalDraft)]
    checked = iter(ctx.check(written))
    statuses: dict[str, int] = {}
    for record, draft in zip(records, drafts, strict=True):
        if isinstance(draft, Failure):
            statuses["no formal text"] = statuses.get("no formal text", 0) + 1
            result.reject(record, "formalize", draft.reason)
            ctx.progress(1)
            continue
        found = next(checked)
        verdict = found.verdict
        if verdict.witness is None and draft.witness is not None:
            verdict.witness = draft.witness
        record.formal = Formal(language=ctx.language, text=draft.text, check=verdict,
                               checks=found.checks,
                               spec=draft.spec.model_dump() if draft.spec else None)
        statuses[verdict.status] = statuses.get(verdict.status, 0) + 1
        if verdict.ok:
            result.accepted.append(record)
        else:
            result.reject(record, "formalize", verdict.summary(), kind=verdict.status)
        ctx.progress(1)
    result.figures["checker_status"] = statuses
    return result


def presence(records: list[Record], ctx: StageContext) -> StageResult:
    """Every requested domain must show its touchstones (and pass the judge where one runs)."""
    result = StageResult()
    threshold = ctx.recipe.thresholds.judge_p_yes
    asked = [(r, d) for r in records for d in r.domains if r.formal]
    found = iter(ctx.tools.touchstones(
        [(r.formal.text, ctx.domains[d].touchstones.of(ctx.language))  # type: ignore[union-attr]
         for r, d in asked], ctx.language))
    scores = iter(ctx.judge_presence([(r.formal.text, ctx.domains[d])  # type: ignore[union-attr]
                                      for r, d in asked]))
    for record in records:
        assert record.formal is not None
        absent = []
        for d in record.domains:
            matched, score = next(found), next(scores)
            record.presence[d] = PresenceCheck(
                touchstones=bool(matched), matched=matched,
                judge=None if score is None else score.p_yes,
                judge_method=None if score is None else score.method)
            if not matched or (score is not None and score.p_yes < threshold):
                absent.append(d)
        if absent:
            result.reject(record, "presence", "domain not present in the formal text: "
                          + ", ".join(absent))
        else:
            result.accepted.append(record)
        ctx.progress(1)
    return result
