"""`eval report`: measure one run's sets and write eval.json, report.html and PNG plots.

The report lives in the run's own directory (`runs/<id>/eval/`) and is
committed to the workspace with the run. `eval.json` holds every figure,
plus a flat `headline` of numbers that `eval compare` reads; the HTML page
shows the plots with one line on how to read each (docs/evals.md explains
them at length). Trade-off: the raw per-record similarities are kept in
eval.json so plots can be redrawn without the embedding model, which makes
the file grow with the set (a few hundred KB for a few thousand problems).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from evals import coverage as cov
from evals import text_measures as tm
from evals.distinctness import Distinctness
from evals.runs import RunView, resolve_run
from evals.stats import Summary
from evals.yields import (
    SimilarityCheck,
    StageYield,
    similarity_checks,
    stage_yields,
    touchstones_absent_rate,
)
from memory.atomic import write_text_atomic
from memory.workspace import Workspace
from tools.embed_similarity import DEFAULT_MODEL, Embedder

log = logging.getLogger(__name__)

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
    touchstones_absent: float | None
    coverage_sampled: cov.DomainCoverage
    coverage_final: cov.DomainCoverage
    survival: dict[str, float]
    templates: cov.TemplateMix
    distinctness: Distinctness | None
    lossiness: tm.Lossiness
    near_duplicates: dict[str, tm.NearDuplicates]
    lengths: dict[str, Summary]
    headline: Headline = Field(default_factory=dict)
    figures: dict[str, str] = Field(default_factory=dict)


def build_report(run: RunView, embedder: Embedder,
                 near_duplicate: float = tm.NEAR_DUPLICATE, seed: int = 0) -> EvalReport:
    """Measure the run: counts from its sets, text measures from embeddings of its final set."""
    stage_rows = stage_yields(run)
    first = run.stages[0] if run.stages else run.final_stage
    sampled = run.accepted(first) + run.rejected(first)
    final = run.final()
    pool = cov.domain_pool(sampled)
    sampled_cov, final_cov = cov.domain_coverage(sampled, pool), cov.domain_coverage(final, pool)
    log.info("embedding the texts of %d final records of run %s", len(final), run.run_id)
    report = EvalReport(
        run_id=run.run_id, created=datetime.now(UTC).isoformat(timespec="seconds"),
        recipe=run.plan.get("recipe"), backend=run.plan.get("backend"), language=run.language,
        embedding_model=embedder.model_name, seed=run.parameters.get("seed"),
        final_stage=run.final_stage, sampled=len(sampled), final=len(final), yields=stage_rows,
        similarities=similarity_checks(run),
        touchstones_absent=touchstones_absent_rate(run),
        coverage_sampled=sampled_cov, coverage_final=final_cov,
        survival=cov.survival(sampled_cov, final_cov), templates=cov.template_mix(final),
        distinctness=tm.distinctness(final, embedder, seed=seed),
        lossiness=tm.lossiness(final, embedder),
        near_duplicates=tm.set_near_duplicates(final, embedder, near_duplicate),
        lengths=cov.text_lengths(final))
    report.headline = headline(report)
    return report


def headline(r: EvalReport) -> Headline:
    """The report's key numbers, flat and ordered, for the screen and for compare."""
    h: Headline = {"sampled": r.sampled, "final": r.final,
                   "final_yield": round(r.final / r.sampled, 4) if r.sampled else None}
    for row in r.yields:
        h[f"yield.{row.stage}"] = row.yield_frac
    for name, check in r.similarities.items():
        h[f"{name}.pass_rate"] = check.pass_rate
        h[f"{name}.median"] = check.summary.median
    h["missing.touchstones_absent"] = r.touchstones_absent
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
    return h


def write_report(run: RunView, report: EvalReport) -> dict[str, Path]:
    """Plots, eval.json and report.html under the run's eval/ directory; returns the paths."""
    from evals.html import render_html
    from evals.plots import draw_all

    out = run.path / EVAL_DIR
    out.mkdir(parents=True, exist_ok=True)
    report.figures = draw_all(report, out)
    paths = {"json": out / "eval.json", "html": out / "report.html"}
    write_text_atomic(paths["json"], report.model_dump_json(indent=1) + "\n")
    write_text_atomic(paths["html"], render_html(report))
    for name in report.figures.values():
        paths[name] = out / name
    return paths


def load_report(path: Path) -> EvalReport:
    """An eval.json back as an EvalReport."""
    return EvalReport.model_validate(json.loads(path.read_text(encoding="utf-8")))


def evaluate_run(workspace: Workspace, ref: str, embedding_model: str = DEFAULT_MODEL,
                 near_duplicate: float = tm.NEAR_DUPLICATE) -> tuple[EvalReport, dict[str, Path]]:
    """Measure the run named by `ref`, write its eval/ directory and commit it."""
    run = RunView.open(resolve_run(workspace, ref))
    report = build_report(run, Embedder(embedding_model), near_duplicate)
    paths = write_report(run, report)
    workspace.commit(f"eval {run.run_id}: report ({report.final} of {report.sampled} problems)",
                     [run.path / EVAL_DIR])
    return report, paths
