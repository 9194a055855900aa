"""Per-stage accounting of model calls: a stage wrapper that adds them to its figures.

On a backend that counts its model calls (`call_totals()`, as the model
backend does), the wrapped stage's result carries the calls it made as the
figure `model_calls`: calls, cache hits, HTTP requests, re-asks, rejects,
failures, tokens in and out, and latency summed over calls. report.md lists
it with the stage's other figures. On the template backend nothing changes.

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
    """The stage, adding the model calls it made to its figures (when the backend counts)."""

    @functools.wraps(run)
    def stage(records: list[Record], ctx: StageContext) -> StageResult:
        totals = getattr(ctx.backend, "call_totals", None)
        before = totals() if totals is not None else None
        result = run(records, ctx)
        if totals is not None and before is not None:
            spent = totals().minus(before)
            if spent.calls:
                result.figures["model_calls"] = spent.figures()
        return result

    return stage
