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

from retrolean.evals import coverage as cov
from retrolean.evals import text_measures as tm
from retrolean.evals import text_quality as tq
from retrolean.evals.html import render_html
from retrolean.evals.plots import draw_all
from retrolean.evals.report_schema import EVAL_DIR, EvalReport, headline
from retrolean.evals.runs import RunView
from retrolean.evals.verification import verification
from retrolean.evals.yields import (
    set_yields,
    similarity_checks,
    touchstones_absent_rate,
)
from retrolean.memory.atomic import write_text_atomic
from retrolean.memory.runs import locate_run
from retrolean.memory.workspace import Workspace
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.tools.embed_similarity import DEFAULT_MODEL, Embedder

log = logging.getLogger(__name__)


def build_report(run: RunView, embedder: Embedder,
                 near_duplicate: float = tm.NEAR_DUPLICATE, seed: int = 0) -> EvalReport:
    """Measure the run: counts from its sets, text measures from embeddings of its final set."""
    stage_rows = set_yields(run)
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
        similarities=similarity_checks(run), verification=verification(run),
        checks=_checks(run),
        touchstones_absent=touchstones_absent_rate(run),
        coverage_sampled=sampled_cov, coverage_final=final_cov,
        survival=cov.survival(sampled_cov, final_cov), templates=cov.template_mix(final),
        distinctness=tm.distinctness(final, embedder, seed=seed),
        lossiness=tm.lossiness(final, embedder),
        near_duplicates=tm.set_near_duplicates(final, embedder, near_duplicate),
        lengths=cov.text_lengths(final), text_quality=tq.measure(final, load_catalog().domains))
    report.headline = headline(report)
    return report


def _checks(run: RunView) -> dict[str, dict[str, float | int | None]]:
    """The totals of `eval checks`, where it has been run on this run (eval/checks.json)."""
    path = run.path / EVAL_DIR / "checks.json"
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")).get("totals") or {})


def write_eval_files(run: RunView, report: EvalReport) -> dict[str, Path]:
    """Plots, eval.json and report.html under the run's eval/ directory; returns the paths."""
    out = run.path / EVAL_DIR
    out.mkdir(parents=True, exist_ok=True)
    report.figures = draw_all(report, out)
    paths = {"json": out / "eval.json", "html": out / "report.html"}
    write_text_atomic(paths["json"], report.model_dump_json(indent=1) + "\n")
    write_text_atomic(paths["html"], render_html(report))
    for name in report.figures.values():
        paths[name] = out / name
    return paths


def evaluate_run(workspace: Workspace, ref: str, embedding_model: str = DEFAULT_MODEL,
                 near_duplicate: float = tm.NEAR_DUPLICATE) -> tuple[EvalReport, dict[str, Path]]:
    """Measure the run named by `ref`, write its eval/ directory and commit it."""
    run = RunView.open(locate_run(workspace, ref))
    report = build_report(run, Embedder(embedding_model), near_duplicate)
    paths = write_eval_files(run, report)
    workspace.commit(f"eval {run.run_id}: report ({report.final} of {report.sampled} problems)",
                     [run.path / EVAL_DIR])
    return report, paths
