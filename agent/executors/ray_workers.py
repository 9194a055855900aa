"""What runs inside Ray: the checker and embedding actors, and the stage's batch function.

- `CheckerActor` wraps the run's checker entry point (`tools.checkers.formal_checker`,
  verdicts remembered): Z3 in the actor's process, and for Lean its REPL pool, which
  lives as long as the actor does, so the header environment (imports, Mathlib) is
  loaded once per actor, not once per check. Texts go to the actor chosen by their
  hash, so a text checked twice (a model's re-ask check, then the stage's) meets the
  same verdict memory. The stage's proofs (`tools/provers.py`: the round trip's
  equivalence, witnesses, interaction, the missing domain) run there too, in the
  actor's threads, so Z3 and Lean work only where the checker CPUs are.
- `EmbedderActor` holds one embedding model (on a GPU when it was given one): the
  sentence similarities and the static formal similarities the stages ask for.
- `BudgetActor` (async) holds a model endpoint's `SharedBudget`: every worker's model
  client takes its slots from it (`RemoteBudget`), so the endpoint's concurrency is one
  number for the cluster and a 429 pauses every caller for its Retry-After.
- `StageBatches` is the Ray Data UDF (`map_batches`): each of its actors rebuilds the
  run's stage context once (`WorkerSpec`: settings, catalog, language, workspace) with
  the checker and embedder pointing at the actor pools, then runs the stage function
  on every batch it is given — split by shard, so figures stay per shard — and sends
  back one row per (batch, shard): records accepted and rejected, figures, and the
  trace blocks its tool calls wrote (the driver appends them to the run's trace).

Every actor is restartable (Ray Data's UDF actors by default; ours with
`max_restarts=-1, max_task_retries=-1`): a killed actor is restarted and its
unfinished calls retried, and since every record is seeded by run seed, record and
stage, a retried batch gives the same records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import ray

from retrolean.agent.executors.batches import StageJob, run_batch
from retrolean.agent.pipeline import make_backend
from retrolean.agent.settings import Settings
from retrolean.memory.languages import FormalLanguage
from retrolean.recipes.catalog_loader import Catalog
from retrolean.recipes.records import Record
from retrolean.recipes.stages.context import StageContext
from retrolean.tools.checkers import formal_checker, remember_verdicts
from retrolean.tools.embed_similarity import Embedder
from retrolean.tools.generate.budget import SharedBudget
from retrolean.tools.provers import ProofKind, Proved, ProverConfig, prove
from retrolean.tools.toolbox import ToolSet
from retrolean.tools.verdict import Verdict
from retrolean.traces.schema import Block, call_block
from retrolean.traces.writer import TraceWriter

RESTARTABLE: dict[str, Any] = {"max_restarts": -1, "max_task_retries": -1}


class CheckerActor:
    """The run's formal checker in one Ray actor (see the module docstring)."""

    def __init__(self, prover: ProverConfig, threads: int = 1) -> None:
        self._check = remember_verdicts(formal_checker(prover.z3_timeout_ms, prover.lean))
        self._prover = prover
        self._pool = ThreadPoolExecutor(max_workers=max(1, threads))

    def check_many(self, texts: list[str], language: str) -> list[dict[str, Any]]:
        """Each text's verdict (as JSON-ready dicts)."""
        lang = FormalLanguage(language)
        return [v.model_dump(mode="json") for v in
                self._pool.map(lambda text: self._check(text, lang), texts)]

    def prove_many(self, kind: ProofKind, items: list[Any], language: str) -> list[Proved]:
        """Each item's proof of `kind` (tools/provers.py), in the actor's threads."""
        lang = FormalLanguage(language)
        return list(self._pool.map(lambda item: prove(kind, item, lang, self._prover), items))


class EmbedderActor:
    """One embedding model in one Ray actor."""

    def __init__(self, model_name: str) -> None:
        self._embedder = Embedder(model_name)

    def similarities(self, pairs: list[tuple[str, str]]) -> list[float]:
        """Cosine similarity of each pair."""
        return self._embedder.similarities(pairs)

    def formal_similarities(self, pairs: list[tuple[str, str]]) -> list[float]:
        """Static-embedding similarity of each pair of formal texts."""
        return self._embedder.formal_similarities(pairs)


class BudgetActor:
    """One model endpoint's `SharedBudget`, in an async actor: every worker's model client
    takes its slots from here, so the endpoint's concurrency is one number for the whole
    cluster and a 429 pauses every caller."""

    def __init__(self, concurrency: int) -> None:
        self.budget = SharedBudget(concurrency)

    async def acquire(self) -> None:
        await self.budget.acquire()

    async def release(self) -> None:
        await self.budget.release()

    async def observe(self, status: int | None, retry_after_s: float | None) -> None:
        await self.budget.observe(status, retry_after_s)

    async def stats(self) -> dict[str, Any]:
        """What the budget has done (slots, most in flight, pauses)."""
        return (await self.budget.snapshot()).model_dump()


class RemoteBudget:
    """An `EndpointBudget` whose slots come from a `BudgetActor` (awaiting its calls)."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor

    async def acquire(self) -> None:
        await self.actor.acquire.remote()

    async def release(self) -> None:
        await self.actor.release.remote()

    async def observe(self, status: int | None, retry_after_s: float | None) -> None:
        await self.actor.observe.remote(status, retry_after_s)


@dataclass(frozen=True)
class ToolActors:
    """Handles of the run's actor pools, passed to every stage worker."""

    checkers: list[Any]
    embedders: list[Any]
    budget: Any | None = None  # the model endpoint's BudgetActor (model backend only)


def _route(text: str, count: int) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) % count


class PooledChecker:
    """The checker tool over a pool of `CheckerActor`s: each text to the actor its hash picks."""

    def __init__(self, actors: list[Any]) -> None:
        self.actors = actors

    def check_many(self, texts: list[str], language: FormalLanguage) -> list[Verdict]:
        """Every text's verdict, the pool's actors working at once."""
        groups: dict[int, list[int]] = {}
        for i, text in enumerate(texts):
            groups.setdefault(_route(text, len(self.actors)), []).append(i)
        futures = {a: self.actors[a].check_many.remote([texts[i] for i in idx], str(language))
                   for a, idx in groups.items()}
        out: list[Verdict | None] = [None] * len(texts)
        for a, idx in groups.items():
            for i, verdict in zip(idx, ray.get(futures[a]), strict=True):
                out[i] = Verdict.model_validate(verdict)
        return [v for v in out if v is not None]

    def check(self, text: str, language: FormalLanguage) -> Verdict:
        """One text's verdict."""
        return self.check_many([text], language)[0]

    def prove_many(self, kind: ProofKind, items: list[Any], language: FormalLanguage
                   ) -> list[Proved]:
        """Each item's proof of `kind`, the pool's actors working at once (an item goes to
        the actor its texts' hash picks)."""
        groups: dict[int, list[int]] = {}
        for i, item in enumerate(items):
            groups.setdefault(_route(repr(item), len(self.actors)), []).append(i)
        futures = {a: self.actors[a].prove_many.remote(kind, [items[i] for i in idx],
                                                        str(language))
                   for a, idx in groups.items()}
        out: list[Proved | None] = [None] * len(items)
        for a, idx in groups.items():
            for i, proof in zip(idx, ray.get(futures[a]), strict=True):
                out[i] = proof
        return [p for p in out if p is not None]


class PooledEmbedder:
    """Similarities from a pool of `EmbedderActor`s (a batch goes to one actor, in turn)."""

    def __init__(self, actors: list[Any], model_name: str) -> None:
        self.actors = actors
        self.model_name = model_name
        self._turn = 0

    def similarities(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """Cosine similarity of each pair."""
        return self._ask("similarities", pairs)

    def formal_similarities(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """Static-embedding similarity of each pair of formal texts."""
        return self._ask("formal_similarities", pairs)

    def _ask(self, method: str, pairs: Sequence[tuple[str, str]]) -> list[float]:
        if not pairs:
            return []
        actor = self.actors[self._turn % len(self.actors)]
        self._turn += 1
        return list(ray.get(getattr(actor, method).remote(list(pairs))))


@dataclass(frozen=True)
class WorkerSpec:
    """What a stage worker needs to rebuild the run's context (everything picklable)."""

    settings: Settings
    catalog: Catalog
    language: FormalLanguage
    workspace_root: Path


class _Collect:
    """A trace sink that keeps blocks in memory, to send back with the batch."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def emit(self, block: Block) -> None:
        self.blocks.append(block)


class StageBatches:
    """The Ray Data UDF running one stage attempt over batches (see the module docstring)."""

    def __init__(self, spec: WorkerSpec, job: StageJob, tools: ToolActors) -> None:
        self.job = job
        checker = PooledChecker(tools.checkers)
        cards = spec.catalog.domains
        budget = RemoteBudget(tools.budget) if tools.budget is not None else None
        backend, check = make_backend(spec.settings, cards, spec.workspace_root,
                                      job.recipe.parameters.temperature_scale, checker.check,
                                      budget, themes=spec.catalog.themes)
        prover = ProverConfig.from_settings(spec.settings)
        toolset = ToolSet(check=check, embedder=PooledEmbedder(
            tools.embedders, spec.settings.embedding_model),
            z3_timeout_ms=prover.z3_timeout_ms, lean=prover.lean,
            lean_tactics=prover.lean_tactics, check_many=checker.check_many,
            prove_many=checker.prove_many)
        self.sink = _Collect()
        self.ctx = StageContext(
            recipe=job.recipe, domains=cards, personas=spec.catalog.personas,
            conversations=spec.catalog.conversations, language=spec.language,
            backend=backend, attempt=job.attempt,
            tools=toolset.toolbox(job.stage.tools, stage=job.stage.name,
                                  trace=TraceWriter([self.sink])))

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list[Any]]:
        """One row per shard in the batch: its records' outcome, figures and trace blocks."""
        by_shard: dict[int, list[Record]] = {}
        for shard, text in zip(batch["shard"], batch["record"], strict=True):
            by_shard.setdefault(int(shard), []).append(Record.model_validate_json(text))
        shards, payloads = [], []
        stage = self.job.stage.name
        for shard, records in by_shard.items():
            self.sink.blocks.clear()
            result = run_batch(stage, records, self.ctx)
            blocks = [*self.sink.blocks,
                      *(call_block(c, stage) for c in self.ctx.backend.drain_calls())]
            shards.append(shard)
            payloads.append(json.dumps({
                "accepted": [r.model_dump(mode="json") for r in result.accepted],
                "rejected": [r.model_dump(mode="json") for r in result.rejected],
                "figures": result.figures,
                "blocks": [b.model_dump(mode="json", exclude_none=True) for b in blocks]}))
        return {"shard": shards, "payload": payloads}
