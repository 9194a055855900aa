"""A stage's input and output sets as the act node reads and writes them, shard by shard.

A run of up to `shard_size` problems keeps the one-file layout: the stage runs as
one shard and its sets are written at the end by the agent's `save_set` call. A
larger run splits the sampled problems into shards of `shard_size` (shard k: the
problems sampled at positions k·S …), and every stage keeps that split: stage i's
shard k reads stage i-1's shard k. Each finished shard is written at once and
listed in the stage's manifest (`memory/sets.py`), so a stage killed midway —
driver, worker or machine — resumes by running only the shards its manifest does
not list, provided they were made under the same key (stage, attempt, parameters,
input); nothing is lost or repeated, and the merged set equals an uninterrupted one.

The driver holds one window of shards at a time (`WINDOW_RECORDS` records, at least
one shard), not the whole stage: each window is one pass of the executor (on Ray,
one Ray Data pipeline), so a stage of a million records needs a few gigabytes on
the driver, not tens.

Whole-stage figures are computed after the merge: per-shard counts summed from the
manifest, the stage's measures read off every output record (`recipes.stages.figures`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrolean.agent.executors import Executor
from retrolean.agent.executors.batches import ShardInput, ShardOutput, StageJob
from retrolean.memory.sets import (
    Part,
    SetManifest,
    has_set,
    open_sharded,
    read_manifest,
    read_part,
    read_set,
    stage_dir,
    write_shard,
)
from retrolean.recipes.records import Record
from retrolean.recipes.stages import STAGES
from retrolean.recipes.stages.figures import Distributions, merge_figures
from retrolean.recipes.stages.reasons import summarize_reasons
from retrolean.tools.registry import SaveSetArgs
from retrolean.tools.save_set import save_set
from retrolean.tools.toolbox import ToolSet
from retrolean.traces.block_data import StageYield
from retrolean.traces.writer import TraceWriter

WINDOW_RECORDS = 50_000  # records the driver reads and hands the executor at once


@dataclass
class ShardSource:
    """One input shard, read only when its turn comes (a stage's input can be millions of
    records: the driver holds one window of shards at a time, `WINDOW_RECORDS`)."""

    index: int
    count: int
    load: Callable[[], list[Record]]

    def read(self) -> ShardInput:
        """The shard's records."""
        return ShardInput(self.index, self.load())


@dataclass
class StageInput:
    """A stage's input: its shards, whether the run is sharded, and a digest of it all."""

    sources: list[ShardSource]
    sharded: bool
    digest: str

    @property
    def records(self) -> int:
        return sum(s.count for s in self.sources)


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _held(records: list[Record]) -> Callable[[], list[Record]]:
    return lambda: records


def first_input(records: list[Record], shard_size: int) -> StageInput:
    """The sampled problems as the first stage's input, in shards when there are more than
    `shard_size`."""
    sharded = len(records) > shard_size
    size = shard_size if sharded else max(1, len(records))
    chunks = [records[start:start + size] for start in range(0, len(records), size)] or [[]]
    return StageInput([ShardSource(k, len(chunk), _held(chunk)) for k, chunk in
                       enumerate(chunks)], sharded, _digest([r.id for r in records]))


def _part_loader(directory: Path, part: Part) -> Callable[[], list[Record]]:
    return lambda: [Record.model_validate(r) for r in read_part(directory, part)]


def next_input(sets_dir: Path, previous: str) -> StageInput:
    """The previous stage's accepted set as this stage's input, shard by shard."""
    manifest = read_manifest(sets_dir, previous)
    if manifest is not None and not (sets_dir / f"{previous}.jsonl").is_file():
        directory = stage_dir(sets_dir, previous)
        return StageInput([ShardSource(s.index, s.accepted.records,
                                       _part_loader(directory, s.accepted))
                           for s in manifest.shards], True,
                          _digest([s.accepted.sha256 for s in manifest.shards]))
    records = ([Record.model_validate(r) for r in read_set(sets_dir, previous)]
               if has_set(sets_dir, previous) else [])
    return StageInput([ShardSource(0, len(records), _held(records))], False,
                      _digest([r.id for r in records]))


def windows(sources: list[ShardSource], records: int) -> Iterator[list[ShardSource]]:
    """Consecutive runs of shards holding about `records` records (at least one shard each).

    Example: shards of 5, 5, 5 records, records=8 -> [[0, 1], [2]]
    """
    window: list[ShardSource] = []
    held = 0
    for source in sources:
        window.append(source)
        held += source.count
        if held >= records:
            yield window
            window, held = [], 0
    if window:
        yield window


def stage_key(job: StageJob, given: StageInput) -> str:
    """What a stage's shards were made from: a shard made under another key is redone."""
    return _digest([job.stage.model_dump_json(), job.recipe.model_dump_json(),
                    str(job.attempt), given.digest])


@dataclass
class StageSets:
    """Runs one stage attempt through an executor and writes its sets; see the module doc."""

    executor: Executor
    toolset: ToolSet
    trace: TraceWriter
    run_dir: Path
    shard_size: int
    ignore_shards: Callable[[], None]  # the workspace keeps shard parts out of git

    @property
    def sets_dir(self) -> Path:
        return self.run_dir / "sets"

    def run(self, job: StageJob, given: StageInput, progress: Callable[[int], None],
            seconds: Callable[[], float]) -> StageYield:
        """Run the stage over `given`, write its sets, and return its yield (traced by the
        agent's save_set call)."""
        if given.sharded:
            return self._sharded(job, given, progress, seconds)
        outputs = list(self.executor.run_stage(job, [s.read() for s in given.sources],
                                               self.trace, progress))
        accepted = [r for out in outputs for r in out.accepted]
        rejected = [r for out in outputs for r in out.rejected]
        figures = self._figures([out.figures for out in outputs], job.stage.name,
                                [*accepted, *rejected])
        stage = job.stage.name
        with self._saving(stage, len(accepted), len(rejected)) as observe:
            paths = save_set(self.sets_dir, stage, accepted, rejected)
            kinds = Counter(r.reject.kind if r.reject else "unknown" for r in rejected)
            row = StageYield(stage=stage, records_in=given.records, records_out=len(accepted),
                             rejected=len(rejected), seconds=round(seconds(), 3),
                             set_path=str(paths["accepted"].relative_to(self.run_dir)),
                             rejects_path=str(paths["rejected"].relative_to(self.run_dir))
                             if "rejected" in paths else None,
                             reasons=dict(kinds.most_common()), figures=figures,
                             examples={kind: summarize_reasons(
                                 [r.reject.reason for r in rejected
                                  if r.reject and r.reject.kind == kind]) for kind in kinds})
            observe(row)
        return row

    def _sharded(self, job: StageJob, given: StageInput, progress: Callable[[int], None],
                 seconds: Callable[[], float]) -> StageYield:
        stage = job.stage.name
        self.ignore_shards()
        manifest = open_sharded(self.sets_dir, stage, stage_key(job, given), self.shard_size,
                                len(given.sources))
        done = manifest.done()
        distributions = Distributions(STAGES[stage].measures)
        for source in given.sources:
            if source.index in done:
                progress(source.count)
                if distributions.measures:
                    distributions.add(self._read_back(manifest, source.index))
        todo = [s for s in given.sources if s.index not in done]
        for window in windows(todo, max(WINDOW_RECORDS, self.shard_size)):
            shards = [source.read() for source in window]
            for out in self.executor.run_stage(job, shards, self.trace, progress):
                self._write(manifest, out)
                distributions.add([*out.accepted, *out.rejected])
        if not manifest.complete:
            raise RuntimeError(f"stage {stage}: the executor left shards unwritten")
        records_in, accepted, rejected = manifest.counts()
        reasons: Counter[str] = Counter()
        for shard in manifest.shards:
            reasons.update(shard.reasons)
        figures = self._figures([s.figures for s in manifest.shards], stage, [],
                                distributions)
        where = str(stage_dir(self.sets_dir, stage).relative_to(self.run_dir))
        with self._saving(stage, accepted, rejected, len(manifest.shards)) as observe:
            row = StageYield(stage=stage, records_in=records_in, records_out=accepted,
                             rejected=rejected, seconds=round(seconds(), 3),
                             set_path=f"{where}/", rejects_path=f"{where}/" if rejected
                             else None, reasons=dict(reasons.most_common()), figures=figures)
            observe(row)
        return row

    def _write(self, manifest: SetManifest, out: ShardOutput) -> None:
        kinds = Counter(r.reject.kind if r.reject else "unknown" for r in out.rejected)
        write_shard(self.sets_dir, manifest, out.index, out.records_in, out.accepted,
                    out.rejected, figures=out.figures, reasons=dict(kinds.most_common()))

    def _read_back(self, manifest: SetManifest, index: int) -> list[Record]:
        shard = next(s for s in manifest.shards if s.index == index)
        directory = stage_dir(self.sets_dir, manifest.stage)
        return [Record.model_validate(r) for part in (shard.accepted, shard.rejected)
                if part is not None for r in read_part(directory, part)]

    @staticmethod
    def _figures(per_shard: list[dict[str, Any]], stage: str, records: list[Record],
                 distributions: Distributions | None = None) -> dict[str, Any]:
        figures: dict[str, Any] = {}
        for part in per_shard:
            figures = merge_figures(figures, part)
        if distributions is None:
            distributions = Distributions(STAGES[stage].measures)
            distributions.add(records)
        return {**figures, **distributions.figures()}

    @contextmanager
    def _saving(self, stage: str, accepted: int, rejected: int,
                shards: int = 0) -> Iterator[Callable[[StageYield], None]]:
        """The agent's save_set call, traced; yields `observe(row)` for the stage's yield."""
        saver = self.toolset.toolbox(["save_set"], stage=stage, trace=self.trace)
        what = f" ({shards} shards and their manifest)" if shards else ""
        with saver.call("save_set", SaveSetArgs(name=stage, accepted=accepted,
                                                rejected=rejected),
                        f"Save the {stage} sets{what}.") as batch:
            yield lambda row: batch.observe(f"{row.stage}: {row.summary()}.", stage_yield=row)
