"""The local executor: a stage's batches one after another in this process (the default).

Parallelism is what it always was: the template backend's threads (Z3 releases the
GIL) and the model client's concurrent calls within a batch. Tool calls are traced
straight into the run's trace, and progress moves record by record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from retrolean.agent.executors.batches import (
    ShardAssembler,
    ShardInput,
    ShardOutput,
    StageJob,
    batches,
    run_batch,
)
from retrolean.agent.pipeline import PreparedRun
from retrolean.recipes.backends.calls import CallTotals
from retrolean.traces.schema import call_block
from retrolean.traces.writer import TraceWriter


class LocalExecutor:
    """Runs every batch in this process, in order."""

    name = "local"
    default_batch_size: int | None = None  # None: a whole shard per batch, as before shards

    def __init__(self, prepared: PreparedRun) -> None:
        self.prepared = prepared

    def run_stage(self, job: StageJob, shards: list[ShardInput], trace: TraceWriter,
                  progress: Callable[[int], None]) -> Iterator[ShardOutput]:
        """Each shard's output, in shard order, as it finishes."""
        prepared = self.prepared
        ctx = replace(prepared.ctx, recipe=job.recipe, attempt=job.attempt, progress=progress,
                      tools=prepared.toolset.toolbox(job.stage.tools, stage=job.stage.name,
                                                     trace=trace))
        assembler = ShardAssembler(shards)
        yield from assembler.empty()
        for shard in shards:
            for batch in batches(shard.records, job.batch_size):
                result = run_batch(job.stage.name, batch, ctx)
                for call in ctx.backend.drain_calls():  # any made outside its tool calls
                    trace.add(call_block(call, job.stage.name))
                done = assembler.add(shard.index, result.accepted, result.rejected,
                                     result.figures)
                if done is not None:
                    yield done

    def call_totals(self) -> CallTotals:
        """Nothing beyond the backend's own totals (the calls are made in this process)."""
        return CallTotals()

    def close(self) -> None:
        """Nothing to release."""
