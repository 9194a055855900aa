"""The Ray executor: each stage a Ray Data pipeline, checkers and embeddings as actor pools.

On start it joins the cluster at `--ray-address` (or starts a local Ray when none is
given) and starts the run's actor pools: `--ray-checkers` checker actors, one
embedding actor per GPU (`num_gpus=1`) or `--ray-embedders` on CPUs, and on the
model backend one async `BudgetActor` holding the endpoint's `--concurrency` for
the whole cluster. A stage is
`from_items(records)` → `map_batches(StageBatches, concurrency=--ray-workers)`; the
driver streams the output, appends each batch's trace blocks to the run's trace,
and hands a shard back as soon as all its records are in (the act node writes it).

Records travel as JSON strings, one column, so Arrow never has to infer a schema
from nested records; a batch's output is one row per shard it touched.

Sizing on one machine (see docs/scaling.md for a cluster): stage workers get one
CPU each, the checker and embedding actors half a CPU each (they wait on IPC most of
the time with the template backend; give Lean checkers more with
`--ray-checker-cpus`), and the workers take the CPUs left.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import ray

from retrolean.agent.executors.batches import ShardAssembler, ShardInput, ShardOutput, StageJob
from retrolean.agent.executors.ray_workers import (
    RESTARTABLE,
    BudgetActor,
    CheckerActor,
    EmbedderActor,
    StageBatches,
    ToolActors,
    WorkerSpec,
)
from retrolean.agent.pipeline import PreparedRun
from retrolean.agent.settings import Settings
from retrolean.recipes.backends.calls import CallTotals
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.recipes.records import Record
from retrolean.tools.provers import ProverConfig
from retrolean.traces.schema import BLOCKS
from retrolean.traces.writer import TraceWriter

log = logging.getLogger(__name__)
HELPER_CPUS = 0.5


@dataclass(frozen=True)
class Sizing:
    """How many actors of each kind the run starts, and the CPUs a stage worker takes."""

    workers: int
    worker_cpus: float
    checkers: int
    checker_cpus: float
    embedders: int
    embedder_gpus: int

    @classmethod
    def for_cluster(cls, settings: Settings, resources: dict[str, float]) -> Sizing:
        """Defaults from the cluster's CPUs and GPUs, each overridable by its setting."""
        cpus, gpus = resources.get("CPU", 1.0), int(resources.get("GPU", 0))
        checkers = settings.ray_checkers or max(1, int(cpus) // 8)
        checker_cpus = settings.ray_checker_cpus or HELPER_CPUS
        embedders = settings.ray_embedders or max(1, gpus)
        helpers = checkers * checker_cpus + (0 if gpus else embedders * HELPER_CPUS)
        left = max(1.0, cpus - helpers)
        workers = settings.ray_workers or max(1, int(left))
        return cls(workers=workers, worker_cpus=min(1.0, left / workers), checkers=checkers,
                   checker_cpus=checker_cpus, embedders=embedders,
                   embedder_gpus=1 if gpus else 0)


def connect(address: str | None) -> bool:
    """Join the Ray cluster at `address`, or start a local Ray bound to loopback; True when
    this call started it (so `close` stops it)."""
    if ray.is_initialized():
        return False
    local = {} if address else {"_node_ip_address": "127.0.0.1"}
    ray.init(address=address, include_dashboard=False, log_to_driver=False,
             logging_level=logging.WARNING, configure_logging=False,
             runtime_env={"env_vars": {"TOKENIZERS_PARALLELISM": "false"}}, **local)
    from ray.data import DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    return True


class RayExecutor:
    """Runs stages on a Ray cluster; see the module docstring."""

    name = "ray"
    default_batch_size: int | None = 50

    def __init__(self, settings: Settings, prepared: PreparedRun) -> None:
        self._started = connect(settings.ray_address)
        self.sizing = Sizing.for_cluster(settings, ray.cluster_resources())
        s = self.sizing
        prover = ProverConfig.from_settings(settings)
        checker = ray.remote(CheckerActor).options(num_cpus=s.checker_cpus, **RESTARTABLE)
        embedder = ray.remote(EmbedderActor).options(
            num_gpus=s.embedder_gpus, num_cpus=0 if s.embedder_gpus else HELPER_CPUS,
            **RESTARTABLE)
        budget = ray.remote(BudgetActor).options(num_cpus=0, max_concurrency=100_000,
                                                 **RESTARTABLE)
        self.tools = ToolActors(
            checkers=[checker.remote(prover, max(1, math.ceil(s.checker_cpus)))
                      for _ in range(s.checkers)],
            embedders=[embedder.remote(settings.embedding_model) for _ in range(s.embedders)],
            budget=budget.remote(settings.concurrency) if settings.uses_model else None)
        self.calls = CallTotals()  # the model calls the workers made (the budget counts them)
        self.spec = WorkerSpec(settings=settings, catalog=load_catalog(settings.catalog),
                               language=prepared.ctx.language,
                               workspace_root=prepared.workspace.root)
        log.info("ray executor: %s", s)

    def run_stage(self, job: StageJob, shards: list[ShardInput], trace: TraceWriter,
                  progress: Callable[[int], None]) -> Iterator[ShardOutput]:
        """Each shard's output as soon as all its records are back (any shard order)."""
        assembler = ShardAssembler(shards)
        yield from assembler.empty()
        rows = [{"shard": s.index, "record": r.model_dump_json()} for s in shards
                for r in s.records]
        if not rows:
            return
        s = self.sizing
        dataset = ray.data.from_items(rows, override_num_blocks=max(
            1, min(len(rows), math.ceil(len(rows) / job.batch_size))))
        out = dataset.map_batches(
            StageBatches, fn_constructor_kwargs={"spec": self.spec, "job": job,
                                                 "tools": self.tools},
            batch_size=job.batch_size, compute=ray.data.ActorPoolStrategy(size=s.workers),
            num_cpus=s.worker_cpus,
            udf_modifying_row_count=True)
        for batch in out.iter_batches(batch_size=None, batch_format="numpy"):
            for shard, payload in zip(batch["shard"], batch["payload"], strict=True):
                data: dict[str, Any] = json.loads(payload)
                for block in data["blocks"]:
                    trace.add(BLOCKS.validate_python(block))
                accepted = [Record.model_validate(r) for r in data["accepted"]]
                rejected = [Record.model_validate(r) for r in data["rejected"]]
                self._count_calls(data["figures"].get("model_calls"))
                progress(len(accepted) + len(rejected))
                done = assembler.add(int(shard), accepted, rejected, data["figures"])
                if done is not None:
                    yield done

    def _count_calls(self, figures: dict[str, Any] | None) -> None:
        if figures:
            self.calls = CallTotals(**{
                name: getattr(self.calls, name) + figures.get(name, 0)
                for name in ("calls", "cache_hits", "requests", "reasks", "rejects",
                             "failures", "tokens_in", "tokens_out")})

    def call_totals(self) -> CallTotals:
        """Totals over the model calls the workers made so far (for the run's budget)."""
        return self.calls

    def budget_stats(self) -> dict[str, Any] | None:
        """What the endpoint's shared budget has done, on the model backend."""
        return ray.get(self.tools.budget.stats.remote()) if self.tools.budget else None

    def close(self) -> None:
        """Stop the actor pools, and Ray itself when this executor started it."""
        for actor in [*self.tools.checkers, *self.tools.embedders,
                      *([self.tools.budget] if self.tools.budget else [])]:
            ray.kill(actor)
        if self._started:
            ray.shutdown()
