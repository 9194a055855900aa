"""Per-stage accounting of model calls: a stage wrapper that adds them to its figures.

The wrapped stage's result carries the model calls it made (the backend's
`call_totals()` before and after) as the figure `model_calls`: calls, cache
hits, HTTP requests, re-asks, rejects, failures, tokens in and out, and
latency summed over calls. report.md lists it with the stage's other
figures. The template backend makes no calls, so its stages get no figure.

Trade-off: totals are taken as a difference of running sums around the
stage, so two stages running at once on one backend would mix their counts;
stages run one at a time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from retrolean.recipes.records import Record
from retrolean.recipes.stages.context import StageContext, StageResult

StageRun = Callable[[list[Record], StageContext], StageResult]


def accounted(run: StageRun) -> StageRun:
    """The stage, adding the model calls it made to its figures (when it made any)."""

    @functools.wraps(run)
    def stage(records: list[Record], ctx: StageContext) -> StageResult:
        before = ctx.backend.call_totals()
        result = run(records, ctx)
        spent = ctx.backend.call_totals().minus(before)
        if spent.calls:
            result.figures["model_calls"] = spent.figures()
        return result

    return stage
