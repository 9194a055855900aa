"""What an executor runs: a stage attempt over shards, in batches, and what comes back.

`StageJob` is one attempt of one stage (the plan's stage, the recipe with the
parameters in force, the attempt number, the batch size). Its input is a list of
`ShardInput`s; an executor cuts each into batches, runs the stage function on
every batch (`run_batch`) — anywhere, in any order — and hands back one
`ShardOutput` per shard once all its batches are in: accepted and rejected records
in the order the shard had them, and the batches' additive figures summed.

Trade-off: a shard is handed back whole, so its records are held until its last
batch returns; a shard is the unit that is written and resumed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from retrolean.recipes.recipe import Recipe, StageSpec
from retrolean.recipes.records import Record
from retrolean.recipes.stages import STAGES
from retrolean.recipes.stages.context import StageContext, StageResult
from retrolean.recipes.stages.figures import merge_figures


@dataclass(frozen=True)
class StageJob:
    """One attempt of one stage, as every worker runs it."""

    stage: StageSpec
    recipe: Recipe  # with the parameters in force for this attempt
    attempt: int  # 0 for the first; joins every record's seed (StageContext.rng)
    batch_size: int


@dataclass
class ShardInput:
    """The records of one shard, in order."""

    index: int
    records: list[Record]


@dataclass
class ShardOutput:
    """One finished shard: its records accepted and rejected (in input order), figures."""

    index: int
    records_in: int
    accepted: list[Record] = field(default_factory=list)
    rejected: list[Record] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


def batches(records: list[Record], size: int) -> Iterator[list[Record]]:
    """Consecutive batches of at most `size` records. Example: 5 records, size 2 -> 2, 2, 1."""
    for start in range(0, len(records), max(1, size)):
        yield records[start:start + size]


def run_batch(stage: str, records: list[Record], ctx: StageContext) -> StageResult:
    """The stage function on one batch; every record comes back, accepted or rejected."""
    result = STAGES[stage].run(records, ctx)
    out = {r.id for r in result.accepted} | {r.id for r in result.rejected}
    if out != {r.id for r in records} or len(result.accepted) + len(result.rejected) != len(
            records):
        raise RuntimeError(f"stage {stage} lost or repeated records in a batch "
                           f"({len(records)} in, {len(result.accepted)} + "
                           f"{len(result.rejected)} out)")
    return result


class ShardAssembler:
    """Collects batch results per shard and hands a shard back once all its records are in.

    Records are put back in the shard's input order, so the output does not depend on how
    the executor batched or ordered the work; a record returned twice (a retried batch
    whose first try also arrived) is refused.
    """

    def __init__(self, shards: list[ShardInput]) -> None:
        self._order = {r.id: (s.index, i) for s in shards for i, r in enumerate(s.records)}
        self._size = {s.index: len(s.records) for s in shards}
        self._got: dict[int, dict[str, tuple[bool, Record]]] = {s.index: {} for s in shards}
        self._figures: dict[int, dict[str, Any]] = {s.index: {} for s in shards}

    def shard_of(self, record_id: str) -> int:
        """The shard a record belongs to."""
        return self._order[record_id][0]

    def add(self, shard: int, accepted: list[Record], rejected: list[Record],
            figures: dict[str, Any]) -> ShardOutput | None:
        """One batch's records of `shard` (and their figures); the shard when it is complete."""
        got = self._got[shard]
        for ok, records in ((True, accepted), (False, rejected)):
            for record in records:
                if record.id in got:
                    raise RuntimeError(f"record {record.id} came back twice from shard {shard}")
                got[record.id] = (ok, record)
        self._figures[shard] = merge_figures(self._figures[shard], figures)
        if len(got) < self._size[shard]:
            return None
        ordered = sorted(got.values(), key=lambda item: self._order[item[1].id][1])
        del self._got[shard]
        return ShardOutput(index=shard, records_in=self._size[shard],
                           accepted=[r for ok, r in ordered if ok],
                           rejected=[r for ok, r in ordered if not ok],
                           figures=self._figures.pop(shard))

    def empty(self) -> list[ShardOutput]:
        """Shards with no records at all: complete from the start."""
        done = [ShardOutput(index=i, records_in=0) for i, n in self._size.items() if n == 0]
        for out in done:
            del self._got[out.index]
        return done
