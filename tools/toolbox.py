"""A stage's toolbox: the tools its plan names, lent by name, every call batch traced.

A run configures its tools once (`ToolSet`: the formal checker with its verdict
memory, the embedding model, Z3's time limit). Each stage gets a `Toolbox`
holding only the tools its plan names, and calls the checkers, the similarity
and the touchstones through it — and wraps its generate and judge batches in
`call` — so that:

- a tool the plan did not name cannot be called: `ToolNotNamed`, a bug
  (plan validation keeps such plans from running);
- every call batch is one `action` block (the tool and its arguments as the
  registry's schema has them: counts, never the texts) and, when it returns,
  one `observation` (counts by status, figures), written as it happens; blocks
  that belong to the batch (its model calls) follow the observation.

Example:
    box = ToolSet(check, Embedder()).toolbox(["smt_check"], stage="formalize", trace=trace)
    box.check("smt_check", [text])  -> [Verdict(ok=True, status="sat", …)]; two blocks written
    box.check("lean_check", [text]) -> ToolNotNamed

Trade-off: batches, not items, are traced — a stage checking 200 texts writes
two blocks, not 400; each item's verdict is in its record. An empty batch is
checked against the plan but not traced.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from retrolean.memory.languages import FormalLanguage
from retrolean.tools import smt_proofs
from retrolean.tools.checkers import CHECKER_LANGUAGE, Checker, checker_tool
from retrolean.tools.embed_similarity import Embedder
from retrolean.tools.formal_text import content_for_embedding
from retrolean.tools.lean_check import LeanConfig
from retrolean.tools.lean_proofs import DEFAULT_TACTICS, lean_equivalence, lean_witness_agreement
from retrolean.tools.proof import Proof
from retrolean.tools.registry import (
    TOOLS,
    EmbedSimilarityArgs,
    Goal,
    LeanCheckArgs,
    SmtCheckArgs,
    TouchstonesArgs,
)
from retrolean.tools.smt_proofs import DomainPatterns, Interaction, MissingProof
from retrolean.tools.touchstones import matching_touchstones
from retrolean.tools.verdict import Verdict
from retrolean.traces.block_data import ModelCall, ObservationData, StageYield, ToolCall
from retrolean.traces.schema import Block, call_block
from retrolean.traces.writer import TraceWriter

T = TypeVar("T")
R = TypeVar("R")


def in_threads(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`work` over items on a few threads (Z3 and Lean release the GIL), in order."""
    if len(items) < 2:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        return list(pool.map(work, items))


class ToolNotNamed(RuntimeError):
    """A stage called a tool its plan does not name: a bug, since validation refuses such plans."""


@dataclass
class ToolSet:
    """The run's tools, configured once; `toolbox` lends a stage the ones its plan names."""

    check: Checker  # (text, language) -> verdict, verdicts remembered
    embedder: Embedder
    z3_timeout_ms: int = 5000
    lean: LeanConfig = field(default_factory=LeanConfig)  # for Lean proofs
    lean_tactics: tuple[str, ...] = DEFAULT_TACTICS  # tried in order on the `↔` theorem

    def toolbox(self, names: Iterable[str], *, stage: str | None = None,
                trace: TraceWriter | None = None) -> Toolbox:
        """The tools `names`, for one stage, tracing each call batch to `trace` (if any)."""
        return Toolbox(self, names, stage=stage, trace=trace)


@dataclass
class ToolBatch:
    """One call batch in flight: the action is written; `observe` says what came back."""

    tool: str
    stage: str | None
    observation: ObservationData
    body: str = ""
    after: list[Block] = field(default_factory=list)

    def observe(self, body: str, *, counts: dict[str, int] | None = None,
                figures: dict[str, Any] | None = None,
                stage_yield: StageYield | None = None) -> None:
        """What the call gave back: a line for people, counts by status, figures."""
        self.body = body
        self.observation = ObservationData(tool=self.tool, counts=counts or {},
                                           figures=figures or {}, stage_yield=stage_yield)

    def model_calls(self, calls: list[ModelCall]) -> None:
        """Model calls the batch made, traced after its observation."""
        self.after.extend(call_block(call, self.stage) for call in calls)


class Toolbox:
    """The tools one stage may call; see the module docstring."""

    def __init__(self, toolset: ToolSet, names: Iterable[str], *, stage: str | None = None,
                 trace: TraceWriter | None = None) -> None:
        self.toolset = toolset
        self.names = frozenset(names)
        self.stage = stage
        self.trace = trace
        unknown = sorted(self.names - set(TOOLS))
        if unknown:
            raise ValueError(f"unknown tool {unknown[0]!r}; known: {', '.join(TOOLS)}")

    def __contains__(self, name: object) -> bool:
        return name in self.names

    @property
    def checkers(self) -> list[str]:
        """The checker tools named, in the registry's order. Example: ["smt_check"]."""
        return [tool for tool in CHECKER_LANGUAGE if tool in self.names]

    def require(self, tool: str) -> None:
        """Raise `ToolNotNamed` unless the plan names `tool` for this stage."""
        if tool not in self.names:
            named = ", ".join(sorted(self.names)) or "none"
            raise ToolNotNamed(f"stage {self.stage or '?'} called {tool}, which its plan does "
                               f"not name (it names: {named})")

    @contextmanager
    def call(self, tool: str, arguments: BaseModel, body: str) -> Iterator[ToolBatch]:
        """One batch of `tool`: checked against the plan, its action and observation traced.

        Example: with box.call("generate", GenerateArgs(skill="caption", items=9),
                               "Caption 9 problems.") as batch: …; batch.observe("9 ok")
        """
        self.require(tool)
        self._write("action", body, data=ToolCall(tool=tool,
                                                  arguments=arguments.model_dump(mode="json")))
        batch = ToolBatch(tool, self.stage, ObservationData(tool=tool))
        started = time.perf_counter()
        yield batch  # an exception propagates: the run writes its error block
        self._write("observation", batch.body or f"{tool}: done.", data=batch.observation,
                    elapsed_ms=round((time.perf_counter() - started) * 1000, 1))
        if self.trace is not None:
            for block in batch.after:
                self.trace.add(block)

    def _write(self, type_: str, body: str, **fields: Any) -> None:
        if self.trace is not None:
            self.trace.write(type_, body, stage=self.stage, **fields)  # type: ignore[arg-type]

    # --- the tools the toolbox runs itself ---------------------------------------------------

    def check(self, tool: str, texts: list[str]) -> list[Verdict]:
        """Each text decided by the checker `tool` (in the language that checker reads)."""
        if not texts:
            self.require(tool)
            return []
        language = CHECKER_LANGUAGE[tool]
        arguments: BaseModel = (SmtCheckArgs(texts=len(texts),
                                             timeout_ms=self.toolset.z3_timeout_ms)
                                if tool == "smt_check" else LeanCheckArgs(texts=len(texts)))
        with self.call(tool, arguments, f"Check {len(texts)} {language.label} texts with "
                       f"{tool}.") as batch:
            verdicts = [self.toolset.check(text, language) for text in texts]
            counts = dict(Counter(v.status for v in verdicts).most_common())
            batch.observe(f"{tool}: " + (", ".join(f"{k} {n}" for k, n in counts.items())
                                         or "nothing to check") + ".", counts=counts)
        return verdicts

    def formal_similarities(self, pairs: list[tuple[str, str]],
                            language: FormalLanguage) -> list[float]:
        """Similarity of formal texts by static embeddings, compared by their content (see
        formal_text and embed_similarity): recorded beside the proofs, cheap."""
        if not pairs:
            self.require("embed_similarity")
            return []
        embedder = self.toolset.embedder
        with self.call("embed_similarity", EmbedSimilarityArgs(
                pairs=len(pairs), model=embedder.model_name),
                f"Compare {len(pairs)} pairs of formal texts by embedding.") as batch:
            sims = embedder.formal_similarities([(content_for_embedding(a, language),
                                           content_for_embedding(b, language))
                                          for a, b in pairs])
            figures = ({"min": min(sims), "median": statistics.median(sims), "max": max(sims)}
                       if sims else {})
            batch.observe(f"embed_similarity: {len(sims)} similarities"
                          + (f", median {figures['median']:.3f}." if sims else "."),
                          counts={"pairs": len(sims)}, figures=figures)
        return sims

    def touchstones(self, items: list[tuple[str, list[str]]],
                    language: FormalLanguage) -> list[list[str]]:
        """For each (text, patterns), the touchstone patterns found in the comment-free text."""
        if not items:
            self.require("touchstones")
            return []
        with self.call("touchstones", TouchstonesArgs(texts=len(items), language=language),
                       f"Look for touchstones in {len(items)} {language.label} texts.") as batch:
            found = [matching_touchstones(text, patterns, language) for text, patterns in items]
            hits = sum(1 for f in found if f)
            batch.observe(f"touchstones: found in {hits} of {len(found)} texts.",
                          counts={"found": hits, "absent": len(found) - hits})
        return found

    # --- proofs about formal texts, by the prover of their language ---------------------------

    def _arguments(self, tool: str, count: int, goal: Goal) -> BaseModel:
        if tool == "smt_check":
            return SmtCheckArgs(texts=count, timeout_ms=self.toolset.z3_timeout_ms, goal=goal)
        return LeanCheckArgs(texts=count, goal=goal)

    def _prove(self, language: FormalLanguage, goal: Goal, items: Sequence[T],
               work: Callable[[T], R], outcome: Callable[[R], str], what: str) -> list[R]:
        """One traced batch of proofs by the checker tool of `language`."""
        tool = checker_tool(language)
        if not items:
            self.require(tool)
            return []
        with self.call(tool, self._arguments(tool, len(items), goal),
                       f"Prove with {tool}: {what} ({len(items)}).") as batch:
            found = in_threads(work, items)
            counts = dict(Counter(outcome(f) for f in found).most_common())
            batch.observe(f"{tool} ({goal}): " + ", ".join(f"{k} {n}" for k, n in counts.items())
                          + ".", counts=counts)
        return found

    def equivalences(self, pairs: list[tuple[str, str]], language: FormalLanguage
                     ) -> list[Proof]:
        """For each (original, other) over one signature: are they equivalent?"""
        timeout, lean, tactics = (self.toolset.z3_timeout_ms, self.toolset.lean,
                                  self.toolset.lean_tactics)

        def one(pair: tuple[str, str]) -> Proof:
            if language == FormalLanguage.LEAN4:
                return lean_equivalence(pair[0], pair[1], lean, tactics)
            return smt_proofs.equivalence(pair[0], pair[1], timeout)

        return self._prove(language, "equivalent", pairs, one, lambda p: p.outcome,
                           "each round trip equivalent to its original")

    def witness_agreements(self, items: list[tuple[str, dict[str, int] | None, str,
                                                   dict[str, int] | None]],
                           language: FormalLanguage) -> list[Proof]:
        """For each (original, its witness, other, its witness): does each witness solve the
        other side?"""
        timeout, lean = self.toolset.z3_timeout_ms, self.toolset.lean

        def one(item: tuple[str, dict[str, int] | None, str, dict[str, int] | None]) -> Proof:
            if language == FormalLanguage.LEAN4:
                return lean_witness_agreement(*item, lean)
            return smt_proofs.witness_agreement(*item, timeout)

        return self._prove(language, "witnesses_agree", items, one, lambda p: p.outcome,
                           "each side's witness solves the other")

    def interactions(self, items: list[tuple[str, DomainPatterns]]) -> list[Interaction]:
        """For each SMT-LIB problem and its domains' touchstones: connected, links needed?"""
        timeout = self.toolset.z3_timeout_ms
        return self._prove(FormalLanguage.SMTLIB2, "interacting", items,
                           lambda item: smt_proofs.interaction(item[0], item[1], timeout),
                           lambda i: "interacting" if i.holds else "not interacting",
                           "domains connected and every link adding a constraint")

    def missing_proofs(self, items: list[tuple[str, str, str, DomainPatterns]]
                       ) -> list[MissingProof]:
        """For each (missing-domain version, original, dropped domain, domains' touchstones),
        all SMT-LIB: is the dropped domain's part no longer entailed?"""
        timeout = self.toolset.z3_timeout_ms
        return self._prove(FormalLanguage.SMTLIB2, "missing", items,
                           lambda item: smt_proofs.missing_domain(*item, timeout),
                           lambda m: m.dropped.outcome,
                           "the dropped domain no longer entailed")
