"""Run a recipe end to end: plan from the recipe, stages in order, sets, trace, commits, report.

Everything the user can get wrong is checked before the run directory is
created, so bad input leaves nothing half-written. Each stage's sets are
written atomically and committed to the workspace before the next stage
starts; trace blocks are appended as they happen.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from agent.report import StageRow, write_report
from agent.settings import Settings
from agent.skill_versions import SKILL_VERSIONS
from memory.atomic import write_text_atomic
from memory.errors import UserError
from memory.workspace import Workspace
from recipes.backends.template import TemplateBackend
from recipes.catalog_loader import load_catalog
from recipes.recipe import Recipe, load_recipe
from recipes.records import Record
from recipes.sampling import sample_records
from recipes.stages import STAGES
from recipes.stages.context import Checker, StageContext
from skills.problems.registry import gadget_domains
from tools.embed_similarity import Embedder
from tools.lean_check import WITNESS_POLICY, LeanConfig, detect_lean, lean_check
from tools.smt_check import smt_check
from tools.verdict import Verdict
from traces.schema import TraceHeader
from traces.writer import JsonlSink, TraceSink, TraceWriter

log = logging.getLogger(__name__)


class Progress(Protocol):
    def start(self, stage: str, total: int) -> None: ...
    def advance(self, n: int) -> None: ...
    def finish(self, stage: str) -> None: ...


class NoProgress:
    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def finish(self, stage: str) -> None:
        pass


@dataclass
class RunOptions:
    """What `retrolean run` was asked for, beyond the settings."""

    goal: str
    n: int | None = None
    seed: int | None = None
    k: int | None = None
    domains: list[str] | None = None


@dataclass
class RunResult:
    run_id: str
    path: Path
    backend: str
    language: str
    rows: list[StageRow] = field(default_factory=list)
    seconds: float = 0.0


def resolve_language(requested: str, settings: Settings) -> tuple[str, str]:
    """The formal language to use and why (auto: Lean where it runs, else SMT-LIB with Z3)."""
    if requested == "smtlib2":
        return "smtlib2", "asked for SMT-LIB 2"
    info = detect_lean(LeanConfig.from_settings(settings), check_mathlib=False, timeout_s=60)
    if requested == "lean4":
        if not info.found:
            raise UserError(f"--formal lean4 needs Lean, but it is not usable here "
                            f"({info.detail or 'not found'}); install Lean or use --formal smtlib2")
        return "lean4", f"asked for Lean 4 ({info.version})"
    if info.found:
        return "lean4", f"auto: found {info.version}"
    return "smtlib2", "auto: no Lean here, so SMT-LIB 2 checked by Z3"


def make_checker(settings: Settings) -> Checker:
    """The formal checker for a language: Z3 for SMT-LIB 2, Lean (screened) for Lean 4."""
    config = LeanConfig.from_settings(settings)

    def check(text: str, language: str) -> Verdict:
        if language == "lean4":
            return lean_check(text, policy=WITNESS_POLICY, config=config)
        return smt_check(text, timeout_ms=settings.z3_timeout_ms)

    return check


@dataclass
class PreparedRun:
    """A validated run, ready to execute: nothing has been written yet."""

    goal: str
    recipe: Recipe
    ctx: StageContext
    records: list[Record]
    workspace: Workspace
    why_language: str


def prepare(settings: Settings, options: RunOptions) -> PreparedRun:
    """Validate everything and build the run's context; writes nothing."""
    recipe = load_recipe(settings.recipe)
    params = recipe.parameters.model_copy(update={
        k: v for k, v in {"n": options.n, "seed": options.seed, "k": options.k}.items()
        if v is not None})
    if params.n < 1:
        raise UserError(f"--n must be at least 1 (got {params.n})")
    if params.k < 1:
        raise UserError(f"--k must be at least 1 (got {params.k})")
    recipe = recipe.model_copy(update={"parameters": params})
    catalog = load_catalog(settings.catalog)
    cards = catalog.domains
    pool = [d for d in gadget_domains() if d in cards]
    if options.domains:
        unknown = [d for d in options.domains if d not in cards]
        if unknown:
            raise UserError(f"unknown domain {unknown[0]!r}; `retrolean domains` lists them")
        no_template = [d for d in options.domains if d not in pool]
        if no_template:
            raise UserError(f"domain {no_template[0]!r} has no template process; it needs a "
                            "model backend")
        pool = list(dict.fromkeys(options.domains))
    workspace = Workspace(settings.workspace)
    language, why = resolve_language(settings.formal, settings)
    backend = TemplateBackend(cards, settings.z3_timeout_ms, params.guided_link_rate)
    records = sample_records(recipe, pool, backend.name, catalog.themes, backend.model,
                             SKILL_VERSIONS)
    ctx = StageContext(recipe=recipe, domains=cards, personas=catalog.personas,
                       conversations=catalog.conversations, language=language, backend=backend,
                       check=make_checker(settings), embedder=Embedder(settings.embedding_model))
    return PreparedRun(options.goal, recipe, ctx, records, workspace, why)


def run_recipe(settings: Settings, options: RunOptions, progress: Progress | None = None,
               sinks: list[TraceSink] | None = None) -> RunResult:
    """Validate, then execute the recipe's stage list; return where the run went."""
    return execute(prepare(settings, options), progress, sinks)


def execute(prepared: PreparedRun, progress: Progress | None = None,
            sinks: list[TraceSink] | None = None) -> RunResult:
    """Execute a prepared run: stages in order, sets and commits after each, then the report."""
    progress = progress or NoProgress()
    started = time.perf_counter()
    recipe, ctx, records = prepared.recipe, prepared.ctx, prepared.records
    workspace, why, goal = prepared.workspace, prepared.why_language, prepared.goal
    run_id = workspace.new_run_id(recipe.name)
    run_dir = workspace.create_run(run_id)
    header = TraceHeader(run_id=run_id, goal=goal)
    trace = TraceWriter([JsonlSink(run_dir / "trace.jsonl", header), *(sinks or [])])
    result = RunResult(run_id, run_dir, ctx.backend.name, ctx.language)
    plan = {
        "goal": goal, "source": "recipe", "recipe": recipe.name,
        "note": "the plan is the recipe's own stage list",
        "backend": ctx.backend.name, "model": ctx.backend.model, "language": ctx.language,
        "parameters": recipe.parameters.model_dump(), "thresholds": recipe.thresholds.model_dump(),
        "stages": [s.model_dump() for s in recipe.stages],
    }
    write_text_atomic(run_dir / "plan.json", json.dumps(plan, indent=2) + "\n")
    trace.write("orientation", (
        f"Goal: {goal}. Following recipe {recipe.name!r} as the plan: "
        f"{' -> '.join(s.name for s in recipe.stages)}. Backend: {ctx.backend.name}; formal "
        f"language {ctx.language} ({why}); {len(records)} problems of k={recipe.parameters.k} "
        f"domains, seed {recipe.parameters.seed}."), data={"plan": "plan.json"})
    workspace.commit(f"run {run_id}: plan", [run_dir])
    try:
        for stage in recipe.stages:
            records = _run_stage(stage, records, ctx, trace, progress, run_dir, result)
            workspace.commit(f"run {run_id}: {stage.name} ({result.rows[-1].summary()})",
                             [run_dir])
    except BaseException as e:  # interrupted or crashed: keep what was written, then re-raise
        trace.write("error", f"{type(e).__name__}: {e}".rstrip(": "))
        workspace.commit(f"run {run_id}: stopped ({type(e).__name__})", [run_dir])
        raise
    result.seconds = time.perf_counter() - started
    trace.write("outcome", (
        f"Finished: {len(records)} of {recipe.parameters.n} problems made it through every "
        f"stage in {result.seconds:.1f} s."),
        data={"final": len(records), "sampled": recipe.parameters.n})
    write_report(run_dir / "report.md", goal, recipe, ctx, result.rows, result.seconds)
    workspace.commit(f"run {run_id}: report", [run_dir])
    return result


def _run_stage(stage, records: list[Record], ctx: StageContext, trace: TraceWriter,
               progress: Progress, run_dir: Path, result: RunResult) -> list[Record]:
    definition = STAGES[stage.name]
    trace.write("action", f"Run stage {stage.name} (skill {stage.skill}) on {len(records)} "
                f"records.", stage=stage.name,
                data={"skill": stage.skill, "tools": stage.tools, "records_in": len(records)})
    if stage.expectation:
        trace.write("expectation", stage.expectation, stage=stage.name)
    progress.start(stage.name, len(records))
    ctx.progress = progress.advance
    t0 = time.perf_counter()
    out = definition.run(records, ctx) if records else None
    seconds = time.perf_counter() - t0
    progress.finish(stage.name)
    accepted = out.accepted if out else []
    rejected = out.rejected if out else []
    from tools.save_set import save_set

    paths = save_set(run_dir / "sets", stage.name, accepted, rejected)
    row = StageRow(stage=stage.name, records_in=len(records), records_out=len(accepted),
                   rejected=len(rejected), seconds=seconds,
                   set_path=str(paths["accepted"].relative_to(run_dir)),
                   rejects_path=str(paths["rejected"].relative_to(run_dir))
                   if "rejected" in paths else None,
                   reasons=_reasons(rejected), figures=out.figures if out else {})
    result.rows.append(row)
    trace.write("observation", f"{stage.name}: {row.summary()}.", stage=stage.name,
                data={"accepted": len(accepted), "rejected": len(rejected),
                      "set": row.set_path, "rejects": row.rejects_path,
                      "reasons": row.reasons, "figures": row.figures},
                elapsed_ms=round(seconds * 1000, 1))
    trace.write("evaluation", f"{stage.name} kept {row.yield_pct:.0f}% of its input"
                + (f"; expectation was: {stage.expectation}" if stage.expectation else "") + ".",
                stage=stage.name, data={"yield": round(row.yield_frac, 4)})
    return accepted


def _reasons(rejected: list[Record]) -> dict[str, int]:
    """How many rejects of each kind, most frequent first."""
    counts: dict[str, int] = {}
    for r in rejected:
        kind = r.reject.kind if r.reject else "unknown"
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
