"""One line of facts per run: plan, yields, rating and score, read from the run's files.

Used by `runs list|show` and `traces list`. Everything comes from what the run
wrote (`plan.json`, `trace.jsonl`, `sets/`) and the rating beside them, so a
summary needs no database. A run whose trace cannot be read still gets a
summary, with the reason in `problem`, so one damaged run never hides the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrolean.memory.errors import UserError
from retrolean.memory.ratings import Rating, read_rating
from retrolean.memory.runs import read_plan, set_names
from retrolean.memory.workspace import Workspace
from retrolean.traces.block_data import StageYield
from retrolean.traces.reader import LoadedTrace, load_trace
from retrolean.traces.schema import ErrorBlock
from retrolean.traces.score import TraceScore, final_yield, score_trace, stage_yields


@dataclass
class RunSummary:
    """What a person wants to know about a run at a glance."""

    run_id: str
    path: Path
    goal: str = ""
    created: str = ""
    plan: dict[str, Any] = field(default_factory=dict)
    stages: list[StageYield] = field(default_factory=list)
    final: int | None = None
    sampled: int | None = None
    blocks: int = 0
    errors: int = 0
    torn: bool = False
    rating: Rating | None = None
    score: TraceScore | None = None
    sets: list[str] = field(default_factory=list)
    problem: str | None = None

    @property
    def backend(self) -> str:
        return str(self.plan.get("backend", "?"))

    @property
    def model(self) -> str:
        return str(self.plan.get("model") or "—")

    @property
    def seed(self) -> Any:
        return self.plan.get("parameters", {}).get("seed")

    @property
    def yields_text(self) -> str:
        """'7/20 (35%)', or the stage the run stopped after."""
        if self.final is not None and self.sampled:
            return f"{self.final}/{self.sampled} ({100 * self.final / self.sampled:.0f}%)"
        if self.stages:
            return f"stopped after {self.stages[-1].stage}"
        return "—"


def summarize_trace(summary: RunSummary, trace: LoadedTrace) -> RunSummary:
    """Fill a summary's trace-derived fields from a loaded trace."""
    summary.goal = trace.goal or summary.goal
    summary.created = trace.header.created if trace.header else summary.created
    summary.stages = stage_yields(trace.blocks)
    fy = final_yield(trace.blocks)
    summary.final, summary.sampled = fy if fy else (None, None)
    summary.blocks = len(trace.blocks)
    summary.errors = sum(1 for b in trace.blocks if isinstance(b, ErrorBlock))
    summary.torn = trace.torn
    summary.score = score_trace(trace.blocks, summary.rating.label if summary.rating else None)
    return summary


def summarize_run(ws: Workspace, run_id: str) -> RunSummary:
    """The summary of one run (the id must exist)."""
    path = ws.run_dir(run_id)
    summary = RunSummary(run_id=run_id, path=path)
    try:
        summary.plan = read_plan(path)
        summary.goal = str(summary.plan.get("goal", ""))
        summary.rating = read_rating(path)
        summary.sets = set_names(path)
        summarize_trace(summary, load_trace(path))
    except UserError as e:
        summary.problem = str(e)
    return summary


def summarize_runs(ws: Workspace, sort: str = "date") -> list[RunSummary]:
    """Summaries of every run, by date (newest first) or by score (best first)."""
    runs = [summarize_run(ws, r) for r in ws.runs()]
    if sort == "score":
        return sorted(runs, key=lambda s: (s.score.total if s.score else float("-inf"),
                                           s.run_id), reverse=True)
    if sort == "date":
        return list(reversed(runs))
    raise UserError(f"unknown sort {sort!r}; use date or score")
