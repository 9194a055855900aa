"""`eval checks`: how often the round trip and the missing-domain check catch what they exist for.

Accepted records of a finished run are corrupted (evals/corruptions.py) and
the *production* checks are run again on them — the round trip's
`verify_round_trip` on corrupted captions, `verify_missing` on missing-domain
texts with the dropped domain put back — through the run's backend and
tools. Per check and corruption kind: how many corruptions change the problem
(ground truth, decided without the check: see corruptions.py), how many of
those the check rejects (the catch rate), and how many that do *not* change it
it rejects anyway; and on the untouched texts, the false-reject rate. Five
caught corruptions are kept as examples, with their counterexamples.

Trade-off: each corruption costs one reformalization; on the model backend
that is a model call per corruption (cached like every call).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from retrolean.evals.corruptions import (
    CAPTION_CORRUPTIONS,
    Sentence,
    joined,
    reinserted,
    sentences_of,
)
from retrolean.evals.report_schema import EVAL_DIR, headline, load_report
from retrolean.evals.runs import RunView
from retrolean.memory.atomic import write_text_atomic
from retrolean.memory.languages import FormalLanguage
from retrolean.memory.workspace import Workspace
from retrolean.recipes.records import Record
from retrolean.recipes.stages.context import StageContext, StageResult
from retrolean.recipes.stages.english import reject_refuted, verify_round_trip
from retrolean.recipes.stages.personas import verify_missing
from retrolean.skills.formalize.template import render
from retrolean.skills.problems.registry import gadget_for
from retrolean.skills.problems.spec import ProblemSpec, compile_spec, link_statements
from retrolean.skills.reformalize.template import statement_spans
from retrolean.tools.proof import shown
from retrolean.tools.signatures import smt_signature
from retrolean.tools.smt_proofs import equivalence

CHECKS_FILE = "checks.json"


class KindFigures(BaseModel):
    """One check against one kind of corruption (or the untouched texts)."""

    check: str
    kind: str
    tried: int = 0
    changed: int = 0  # corruptions that change the problem (ground truth)
    caught: int = 0  # of those, rejected by the check
    unchanged: int = 0  # corruptions that leave the problem as it was
    unchanged_rejected: int = 0
    truth_undecided: int = 0  # Z3 could not say whether the problem changed: left out

    @property
    def catch_rate(self) -> float | None:
        return self.caught / self.changed if self.changed else None


class Example(BaseModel):
    """A caught corruption: what was edited, and what the check said."""

    record: str
    kind: str
    before: str
    after: str
    reason: str
    counterexample: str = ""


class ChecksReport(BaseModel):
    run_id: str
    created: str
    backend: str | None
    language: FormalLanguage
    per_record: int
    seed: int
    rows: list[KindFigures] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)

    def totals(self, check: str) -> dict[str, float | int | None]:
        """A check's catch rate over every corruption kind, and its false-reject rate."""
        rows = [r for r in self.rows if r.check == check and r.kind != "untouched"]
        untouched = next((r for r in self.rows if r.check == check and r.kind == "untouched"),
                         None)
        changed, caught = sum(r.changed for r in rows), sum(r.caught for r in rows)
        return {"changed": changed, "caught": caught,
                "catch_rate": caught / changed if changed else None,
                "untouched": untouched.tried if untouched else 0,
                "false_rejects": untouched.unchanged_rejected if untouched else 0,
                "false_reject_rate": (untouched.unchanged_rejected / untouched.tried
                                      if untouched and untouched.tried else None)}


def caption_sentences(record: Record, themes: list[str]) -> list[Sentence]:
    """A caption's sentences, each with what it states where the record has a spec."""
    text = record.english.text  # type: ignore[union-attr]
    if not record.formal or not record.formal.spec:
        return sentences_of(text)
    spec = ProblemSpec.model_validate(record.formal.spec)
    out, at = [], 0
    for start, end, key in statement_spans(text, spec, themes):
        if start < at:
            continue
        if text[at:start].strip():
            out.append(Sentence(text[at:start].strip()))
        out.append(Sentence(text[start:end], key))
        at = end
    if text[at:].strip():
        out.append(Sentence(text[at:].strip()))
    return out


def problem_changed(record: Record, before: list[Sentence], after: list[Sentence],
                    timeout_ms: int) -> tuple[bool | None, str]:
    """Whether the edited sentences state a different problem, and why (module docstring of
    evals/corruptions.py). None: Z3 could not tell."""
    if not record.formal or not record.formal.spec or any(s.states is None for s in before):
        return joined(before) != joined(after), "edited by construction (no structure known)"
    spec = ProblemSpec.model_validate(record.formal.spec)
    was = {s.states: s.text for s in before if s.states != "@framing"}
    now = {s.states: s.text for s in after if s.states != "@framing"}
    for domain in spec.domains:
        if domain not in now:
            return True, f"the {domain} part is no longer stated"
    params = dict(spec.params)
    for domain in spec.domains:
        if now[domain] != was[domain]:
            read = [p for s, e, p in gadget_for(domain).statements(now[domain])
                    if s == 0 and e == len(now[domain])]
            if len(read) != 1 or read[0] is None:
                return True, f"the {domain} sentence no longer states a valid part"
            params[domain] = read[0]
    parts = {d: gadget_for(d).build(params[d]) for d in spec.domains}
    links = []
    for i, link in enumerate(spec.links):
        key = f"@link{i}"
        if key not in now:
            continue
        if now[key] == was[key]:
            links.append(link)
            continue
        read = [x for s, e, x in link_statements(now[key], parts)
                if s == 0 and e == len(now[key])]
        if len(read) != 1:
            return True, "a link sentence no longer states a valid link"
        links.append(read[0])
    edited = ProblemSpec(domains=spec.domains, params=params, links=links)
    try:
        compile_spec(edited)
    except (ValueError, KeyError, IndexError) as e:
        return True, f"the edited problem is ill-formed ({e})"
    a, b = render(spec, FormalLanguage.SMTLIB2), render(edited, FormalLanguage.SMTLIB2)
    if not smt_signature(a).same_as(smt_signature(b)):
        return True, "the edited problem has other unknowns"
    proof = equivalence(a, b, timeout_ms)
    if proof.outcome == "undecided":
        return None, proof.reason
    return (not proof.holds), proof.reason


def _run(check: str, copies: list[Record], ctx: StageContext) -> StageResult:
    result = StageResult()
    if not copies:
        return result
    if check == "roundtrip":
        for record in verify_round_trip(copies, ctx, result):
            reject_refuted(result, record)
    else:
        verify_missing(copies, ctx, result)
    return result


def measure_checks(run: RunView, context: Callable[[str], StageContext], *, themes: list[str],
                   per_record: int = 3, seed: int = 0,
                   progress: Callable[[str], None] = lambda s: None) -> ChecksReport:
    """Corrupt the run's accepted round-trip and missing-domain records, run the checks on
    them, and count (see the module docstring). `context(stage)` gives the stage's context."""
    created = datetime.now(UTC).isoformat(timespec="seconds")
    report = ChecksReport(run_id=run.run_id, created=created, backend=run.plan.get("backend"),
                          language=run.language, per_record=per_record, seed=seed)
    rng = random.Random(seed)
    if "roundtrip" in run.stages:
        progress("round trip")
        ctx = context("roundtrip")
        records = [Record.model_validate(r) for r in run.accepted("roundtrip")]
        report.rows += _measure_roundtrip(records, ctx, themes, per_record, rng, report)
    if "missing" in run.stages:
        progress("missing domain")
        ctx = context("missing")
        records = [Record.model_validate(r) for r in run.accepted("missing")]
        report.rows += _measure_missing(records, ctx, themes, per_record, rng)
    return report


def _measure_roundtrip(records: list[Record], ctx: StageContext, themes: list[str],
                       per_record: int, rng: random.Random, report: ChecksReport
                       ) -> list[KindFigures]:
    rows = {kind: KindFigures(check="roundtrip", kind=kind) for kind in CAPTION_CORRUPTIONS}
    untouched = KindFigures(check="roundtrip", kind="untouched", tried=len(records),
                            unchanged=len(records))
    copies, meta = [], []
    timeout = ctx.tools.toolset.z3_timeout_ms
    for record in records:
        before = caption_sentences(record, themes)
        for kind, corrupt in CAPTION_CORRUPTIONS.items():
            seen: set[str] = set()
            for _ in range(per_record):
                after = corrupt(before, rng)
                if after is None or joined(after) == joined(before) or joined(after) in seen:
                    continue
                seen.add(joined(after))
                changed, _why = problem_changed(record, before, after, timeout)
                copy = record.model_copy(deep=True)
                copy.english.text = joined(after)  # type: ignore[union-attr]
                copies.append(copy)
                meta.append((kind, changed, _edited(before, after)))
    result = _run("roundtrip", copies, ctx)
    rejected = {id(r) for r in result.rejected}
    candidates: list[Example] = []
    for copy, (kind, changed, edit) in zip(copies, meta, strict=True):
        row = rows[kind]
        row.tried += 1
        caught = id(copy) in rejected
        if changed is None:
            row.truth_undecided += 1
        elif changed:
            row.changed += 1
            row.caught += caught
            rt = copy.english.roundtrip  # type: ignore[union-attr]
            if caught and rt is not None and rt.counterexample:
                candidates.append(Example(
                    record=copy.id, kind=kind, before=edit[0], after=edit[1],
                    reason=copy.reject.reason if copy.reject else rt.reason,
                    counterexample=shown(rt.counterexample)))
        else:
            row.unchanged += 1
            row.unchanged_rejected += caught
    report.examples = _examples(candidates)
    originals = [r.model_copy(deep=True) for r in records]
    untouched.unchanged_rejected = len(_run("roundtrip", originals, ctx).rejected)
    return [*rows.values(), untouched]


def _examples(candidates: list[Example], count: int = 5) -> list[Example]:
    """Up to `count` caught corruptions with counterexamples, one per kind first."""
    chosen: list[Example] = []
    for e in candidates:
        if len(chosen) < count and e.kind not in {c.kind for c in chosen}:
            chosen.append(e)
    for e in candidates:
        if len(chosen) < count and e not in chosen:
            chosen.append(e)
    return chosen


def _edited(before: list[Sentence], after: list[Sentence]) -> tuple[str, str]:
    """The first sentence that differs, before and after ('' where it was dropped)."""
    texts_after = [s.text for s in after]
    for i, s in enumerate(before):
        if i >= len(after) or after[i].text != s.text:
            return s.text, (after[i].text if i < len(after) and after[i].states == s.states
                            and s.text not in texts_after else "")
    return "", ""


def _measure_missing(records: list[Record], ctx: StageContext, themes: list[str],
                     per_record: int, rng: random.Random) -> list[KindFigures]:
    rows = {kind: KindFigures(check="missing", kind=kind)
            for kind in ("reinsert_statement", "reinsert_persona")}
    copies, kinds = [], []
    for record in records:
        m = record.missing
        assert m is not None
        statement = [s.text for s in caption_sentences(record, themes) if s.states == m.dropped]
        if not statement:  # no structure: the caption sentences that name the domain
            card = ctx.domains[m.dropped]
            statement = [s.text for s in sentences_of(record.english.text)  # type: ignore[union-attr]
                         if any(re.search(k, s.text, re.IGNORECASE) for k in card.keywords)]
        persona = record.personas.get(m.persona)
        contents = {"reinsert_statement": " ".join(statement),
                    "reinsert_persona": persona.segments.get(m.dropped, "") if persona else ""}
        for kind, content in contents.items():
            for _ in range(per_record if content else 0):
                copy = record.model_copy(deep=True)
                copy.missing.text = reinserted(m.text, content, rng)  # type: ignore[union-attr]
                copies.append(copy)
                kinds.append(kind)
    result = _run("missing", copies, ctx)
    rejected = {id(r) for r in result.rejected}
    for copy, kind in zip(copies, kinds, strict=True):
        row = rows[kind]
        row.tried += 1
        row.changed += 1
        row.caught += id(copy) in rejected
    untouched = KindFigures(check="missing", kind="untouched", tried=len(records),
                            unchanged=len(records))
    originals = [r.model_copy(deep=True) for r in records]
    untouched.unchanged_rejected = len(_run("missing", originals, ctx).rejected)
    return [*rows.values(), untouched]


def write_checks(workspace: Workspace, run: RunView, report: ChecksReport) -> Path:
    """The report as `runs/<id>/eval/checks.json`, committed with the run."""
    out = run.path / EVAL_DIR
    out.mkdir(parents=True, exist_ok=True)
    path = out / CHECKS_FILE
    document = report.model_dump(mode="json")
    document["totals"] = {check: report.totals(check) for check in ("roundtrip", "missing")}
    write_text_atomic(path, json.dumps(document, indent=1) + "\n")
    written = [path]
    report_path = out / "eval.json"
    if report_path.is_file():  # an eval report exists: its headline gets the figures too
        existing = load_report(report_path)
        existing.checks = document["totals"]
        existing.headline = headline(existing)
        write_text_atomic(report_path, existing.model_dump_json(indent=1) + "\n")
        written.append(report_path)
    workspace.commit(f"eval {run.run_id}: checks", written)
    return path
