"""Per-stage accounting of model calls: a stage wrapper that adds them to its figures.

The wrapped stage's result carries the model calls it made (`running_totals`
before and after) as the figure `model_calls`: calls, cache hits, re-asks,
rejects, failures and latency from the backend's call log; HTTP requests and
tokens in and out as the client counted them on the wire, so retries, a
judge's refused logprobs request or a failed sample are in, and the figure
matches what the server saw. The run's ledger (agent/ledger.py) keeps
one such figure per stage attempt. The template backend makes no calls, so
its stages get no figure.

Trade-off: totals are taken as a difference of running sums around the
stage, so two stages running at once on one backend would mix their counts;
stages run one at a time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from retrolean.recipes.backends.base import SkillBackend
from retrolean.recipes.backends.calls import CallTotals
from retrolean.recipes.records import Record
from retrolean.recipes.stages.context import StageContext, StageResult

StageRun = Callable[[list[Record], StageContext], StageResult]


def running_totals(backend: SkillBackend) -> CallTotals:
    """The backend's running call totals, with requests and tokens as its client counted
    them on the wire (every HTTP attempt it sent, every token the server reported)."""
    totals = backend.call_totals()
    if backend.client is not None:
        wire = backend.client.stats
        totals.requests, totals.tokens_in, totals.tokens_out = (
            wire.requests, wire.tokens_in, wire.tokens_out)
    return totals


def accounted(run: StageRun) -> StageRun:
    """The stage, adding the model calls it made to its figures (when it made any)."""

    @functools.wraps(run)
    def stage(records: list[Record], ctx: StageContext) -> StageResult:
        before = running_totals(ctx.backend)
        result = run(records, ctx)
        spent = running_totals(ctx.backend).minus(before)
        if spent.calls or spent.requests:
            result.figures["model_calls"] = spent.figures()
        return result

    return stage
