"""Stages 2–3 of the recipe: formalize and check; make sure every domain is present.

A problem is kept only if it checks, and its domains interact: the constraint
graph connects every domain's unknowns and no link is implied by the rest of
the problem (Z3 decides, on the SMT-LIB text or the backend's SMT-LIB
rendering; `tools.smt_proofs.interaction`). A problem no prover here can
decide that for is rejected as undecided. Presence needs each domain's
touchstones and, where a judge runs, its yes: a judge that said neither yes
nor no leaves presence undecided, which is a reject.
"""

from __future__ import annotations

from retrolean.memory.languages import FormalLanguage
from retrolean.recipes.backends.base import Failure, FormalDraft
from retrolean.recipes.records import Formal, PresenceCheck, Record
from retrolean.recipes.stages.context import StageContext, StageResult
from retrolean.skills.problems.spec import ProblemSpec
from retrolean.tools.smt_proofs import Interaction


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
    consistent: list[tuple[Record, FormalDraft]] = []
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
            consistent.append((record, draft))
        else:
            result.reject(record, "formalize", verdict.summary(), kind=verdict.status)
            ctx.progress(1)
    found_interactions = interactions(ctx, [(r.domains, d) for r, d in consistent])
    for (record, _draft), interplay in zip(consistent, found_interactions, strict=True):
        record.formal.interaction = interplay  # type: ignore[union-attr]
        problem = interaction_problem(interplay)
        if problem:
            result.reject(record, "formalize", problem,
                          kind=problem.split(":")[0] if not problem.startswith("undecided")
                          else "undecided: " + problem.split(":")[1].strip())
        else:
            result.accepted.append(record)
        ctx.progress(1)
    result.figures["checker_status"] = statuses
    result.figures["interaction"] = interaction_figures(found_interactions)
    return result


def smt_texts(ctx: StageContext, drafts: list[FormalDraft]) -> list[str | None]:
    """Each problem in SMT-LIB 2, for Z3's proofs: its own text, or the backend's rendering
    (None where there is none: a model's Lean text)."""
    if ctx.language == FormalLanguage.SMTLIB2:
        return [d.text for d in drafts]
    if FormalLanguage.SMTLIB2 not in ctx.backend.renders_in:
        return [None for _ in drafts]
    rendered = ctx.generate("formalize.smtlib2", drafts, lambda: ctx.backend.render(
        drafts, FormalLanguage.SMTLIB2))
    return [r.text if isinstance(r, FormalDraft) else None for r in rendered]


def interactions(ctx: StageContext, items: list[tuple[list[str], FormalDraft]]
                 ) -> list[Interaction]:
    """How each problem's domains interact (Z3 on its SMT-LIB form; undecided without one)."""
    texts = smt_texts(ctx, [d for _, d in items])
    asked = [(text, {d: list(ctx.domains[d].touchstones.smtlib2) for d in domains})
             for (domains, _), text in zip(items, texts, strict=True) if text is not None]
    found = iter(ctx.tools.interactions(asked) if asked else [])
    return [next(found) if text is not None else Interaction(
                reason=f"no prover here decides how the domains of a {ctx.language.label} "
                       "text interact (Z3 needs SMT-LIB, which this backend cannot render)")
            for text in texts]


def interaction_problem(found: Interaction) -> str:
    """Why a problem's domains do not (provably) interact, or '' when they do."""
    if found.connected is None:
        return f"undecided: how the domains interact ({found.reason})"
    if not found.connected:
        return ("domains not connected to the rest of the problem: "
                + ", ".join(found.unconnected))
    if found.redundant:
        return f"link adds no constraint (the rest of the problem implies it): {found.redundant[0]}"
    if found.undecided:
        return f"undecided: whether a link adds a constraint (Z3 gave up): {found.undecided[0]}"
    return ""


def interaction_figures(found: list[Interaction]) -> dict[str, int]:
    """Per-problem interaction counts for the report: problems, links, non-redundant links,
    connected problems, and problems whose every link adds a constraint."""
    return {"problems": len(found), "links": sum(f.links for f in found),
            "non_redundant_links": sum(f.non_redundant for f in found),
            "connected": sum(bool(f.connected) for f in found),
            "interacting": sum(f.holds for f in found)}


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
    judged = "judge" in ctx.tools and ctx.backend.client is not None  # a judge that can answer
    for record in records:
        assert record.formal is not None
        absent, undecided = [], []
        for d in record.domains:
            matched, score = next(found), next(scores)
            answered = score is not None and score.decided
            record.presence[d] = PresenceCheck(
                touchstones=bool(matched), matched=matched,
                judge=score.p_yes if score is not None and answered else None,
                judge_method=None if score is None else score.method,
                method=("touchstones+judge" if answered else "judge-undecided") if judged
                else "touchstones")
            if not matched or (answered and score.p_yes < threshold):  # type: ignore[union-attr]
                absent.append(d)
            elif judged and not answered:
                undecided.append(d)
        if absent:
            result.reject(record, "presence", "domain not present in the formal text: "
                          + ", ".join(absent))
        elif undecided:
            result.reject(record, "presence", "undecided: the judge said neither yes nor no "
                          "about " + ", ".join(undecided), kind="undecided: judge")
        else:
            result.accepted.append(record)
        ctx.progress(1)
    return result
