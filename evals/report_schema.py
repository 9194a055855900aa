"""The evaluation report's schema: every figure of one run's evaluation, and its headline.

`eval report` fills an `EvalReport` (`retrolean.evals.report`), the HTML page
and the plots render it, `eval compare` reads it back from `eval.json`.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from retrolean.evals import coverage as cov
from retrolean.evals import text_measures as tm
from retrolean.evals.distinctness import Distinctness
from retrolean.evals.stats import Summary
from retrolean.evals.text_quality import TextQuality
from retrolean.evals.verification import Verification
from retrolean.evals.yields import SimilarityCheck
from retrolean.traces.block_data import StageYield

EVAL_DIR = "eval"
Headline = dict[str, float | int | None]


class EvalReport(BaseModel):
    """Every figure of one run's evaluation; `headline` is the flat part that compare reads."""

    run_id: str
    created: str
    recipe: str | None
    backend: str | None
    language: str
    embedding_model: str
    seed: int | None
    final_stage: str
    sampled: int
    final: int
    yields: list[StageYield]
    similarities: dict[str, SimilarityCheck]
    verification: Verification = Field(default_factory=Verification)
    checks: dict[str, dict[str, float | int | None]] = Field(default_factory=dict)  # eval checks
    touchstones_absent: float | None
    coverage_sampled: cov.DomainCoverage
    coverage_final: cov.DomainCoverage
    survival: dict[str, float]
    templates: cov.TemplateMix
    distinctness: Distinctness | None
    lossiness: tm.Lossiness
    near_duplicates: dict[str, tm.NearDuplicates]
    lengths: dict[str, Summary]
    text_quality: TextQuality | None = None
    headline: Headline = Field(default_factory=dict)
    figures: dict[str, str] = Field(default_factory=dict)


def headline(r: EvalReport) -> Headline:
    """The report's key numbers, flat and ordered, for the screen and for compare."""
    h: Headline = {"sampled": r.sampled, "final": r.final,
                   "final_yield": round(r.final / r.sampled, 4) if r.sampled else None}
    for row in r.yields:
        h[f"yield.{row.stage}"] = row.yield_frac
    for name, check in r.similarities.items():
        h[f"{name}.similarity_pass"] = check.similarity_pass
        h[f"{name}.median"] = check.summary.median
    h["missing.touchstones_absent"] = r.touchstones_absent
    v = r.verification
    for check, decisions in (("roundtrip", v.roundtrip), ("missing", v.missing)):
        total = sum(decisions.values())
        proved = sum(n for k, n in decisions.items()
                     if k.startswith(("equivalence", "touchstones+z3")))
        h[f"{check}.decided_by_proof"] = round(proved / total, 4) if total else None
    i = v.interaction
    h["interaction.non_redundant_share"] = (round(i["non_redundant_links"] / i["links"], 4)
                                            if i.get("links") else None)
    h["interaction.connected_share"] = (round(i["connected"] / i["problems"], 4)
                                        if i.get("problems") else None)
    for check, totals in r.checks.items():
        h[f"checks.{check}.catch_rate"] = totals.get("catch_rate")
        h[f"checks.{check}.false_reject_rate"] = totals.get("false_reject_rate")
    h["coverage.sampled_entropy"] = r.coverage_sampled.evenness.normalized_entropy
    h["coverage.sampled_chi2_p"] = r.coverage_sampled.evenness.p_value
    final = r.coverage_final.evenness if r.final else None  # nothing to be even about
    h["coverage.final_entropy"] = final.normalized_entropy if final else None
    h["coverage.final_chi2_p"] = final.p_value if final else None
    pairs = r.coverage_final
    h["coverage.pairs_covered"] = (round(pairs.pairs_covered / pairs.pairs_possible, 4)
                                   if pairs.pairs_possible else None)
    h["coverage.distinct_combinations"] = r.coverage_final.distinct_combinations
    d = r.distinctness
    h["personas.accuracy"] = d.accuracy if d else None
    h["personas.chance"] = d.chance if d else None
    h["personas.least_distinct_pair"] = d.least_distinct.accuracy if d and d.least_distinct \
        else None
    h["lossiness.mean"] = r.lossiness.mean
    for kind, nd in r.near_duplicates.items():
        h[f"near_duplicates.{kind}"] = nd.rate
    h["templates.entropy"] = (r.templates.evenness.normalized_entropy
                              if r.templates.conversations else None)
    for kind, key in (("english", "length.english_words"), ("missing", "length.missing_words"),
                      ("formal (chars)", "length.formal_chars")):
        h[key] = r.lengths[kind].mean if kind in r.lengths else None
    if r.text_quality is not None:
        h.update(text_headline(r.text_quality))
    return h


def text_headline(q: TextQuality) -> Headline:
    """The text measures' headline numbers (see docs/evals.md, "Text quality")."""
    h: Headline = {"text.ngram8_repeat": q.ngrams["all"].share}
    for pid, n in q.ngrams.items():
        if pid != "all":
            h[f"text.ngram8_repeat.{pid}"] = n.share
    h["text.ngram8_repeat.max_persona"] = max(
        (n.share for pid, n in q.ngrams.items() if pid != "all" and n.share is not None),
        default=None)
    h["text.repeated_sentence_texts"] = sum(s.count for s in q.repeated_sentences.values())
    h["text.identifier_leaks"] = sum(s.count for s in q.leaks.values())
    h["text.verbatim_catalog"] = q.verbatim["both"].share
    h["text.frame_shift_unused"] = q.frame_shifts.share
    h["text.grounded_figures"] = q.grounded.share
    h["text.user_repastes"] = q.repastes.share
    return h


def load_report(path: Path) -> EvalReport:
    """An eval.json back as an EvalReport."""
    return EvalReport.model_validate(json.loads(path.read_text(encoding="utf-8")))
