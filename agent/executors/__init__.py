"""The executor seam: how a stage's batches run — here in threads, or on a Ray cluster.

A stage is a map over records in batches (`recipes/stages`: every stage
function is batch-local). An `Executor` takes one stage attempt (`StageJob`) and
its input shards and hands back each shard's output once all its batches are in
(`batches.py`); the act node writes the shards (`agent/graph/stage_sets.py`).

- `local` (the default): batches one after another in this process, with the
  threads and concurrent model calls the backends already use (`local.py`);
- `ray` (`--executor ray`, `pip install 'retrolean[ray]'`): each stage a Ray Data
  pipeline, checkers and embeddings as actor pools (`ray_executor.py`).

Same seed, same records, whatever the executor, batch size or number of workers:
every record's draws are seeded by run seed, record id and stage, and shards are
reassembled in input order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from retrolean.agent.executors.batches import ShardInput, ShardOutput, StageJob
from retrolean.agent.executors.local import LocalExecutor
from retrolean.agent.pipeline import PreparedRun
from retrolean.agent.settings import Settings
from retrolean.memory.errors import UserError
from retrolean.recipes.backends.calls import CallTotals
from retrolean.traces.writer import TraceWriter

__all__ = ["Executor", "LocalExecutor", "open_executor"]


class Executor(Protocol):
    """Runs a stage attempt's batches and hands back finished shards."""

    name: str
    default_batch_size: int | None  # None: one batch per shard

    def run_stage(self, job: StageJob, shards: list[ShardInput], trace: TraceWriter,
                  progress: Callable[[int], None]) -> Iterator[ShardOutput]:
        """Each shard's output once all its records are in (any shard order)."""
        ...

    def call_totals(self) -> CallTotals:
        """Model calls made outside this process (on Ray's workers), for the run's budget."""
        ...

    def close(self) -> None:
        """Release what the executor started (actors, a local Ray)."""
        ...


def open_executor(settings: Settings, prepared: PreparedRun) -> Executor:
    """The executor `settings.executor` names; UserError when Ray is asked for but missing."""
    if settings.executor == "local":
        return LocalExecutor(prepared)
    try:
        import ray  # noqa: F401
    except ImportError as e:
        raise UserError("--executor ray needs Ray, which is not installed: "
                        "pip install 'retrolean[ray]'") from e
    from retrolean.agent.executors.ray_executor import RayExecutor

    try:
        return RayExecutor(settings, prepared)
    except ConnectionError as e:
        raise UserError(f"cannot reach the Ray cluster at {settings.ray_address}: "
                        f"{str(e).splitlines()[0]}") from e
