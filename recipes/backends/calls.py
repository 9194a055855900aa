"""What the model backend did, call by call: the log that the trace and the report read.

Every model call a skill makes — a first ask, a re-ask after a parse error, a
judged question — becomes one `ModelCall`: the skill, the round, tokens in
and out, latency, HTTP attempts, whether the cache answered, an excerpt of
the reasoning, and what came of it. The backend appends to a `CallLog`; the
run drains it after each stage into trace blocks (`ModelCall.trace_fields`),
and `CallTotals` keeps running sums from which a stage's figures are taken.

Trade-off: the log keeps an excerpt of the reasoning (head and tail), not all
of it: R1 thinks for thousands of tokens per call, and the whole answer stays
in the response cache under the call's `key`.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, Literal

from pydantic import BaseModel, Field

Outcome = Literal["ok", "reask", "reject", "failed"]
_EXCERPT_CHARS = 600


def excerpt(text: str, limit: int = _EXCERPT_CHARS) -> str:
    """Head and tail of a long text, joined by an ellipsis.

    Example: excerpt("a" * 1000, 10) -> "aaaaa … aaaaa"
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half].rstrip()} … {text[-half:].lstrip()}"


class ModelCall(BaseModel):
    """One model call of a skill and what came of it."""

    skill: str = Field(description="skill id, e.g. formalize.lean4")
    round: int = Field(0, description="0 for the first ask, then 1, 2 for re-asks")
    outcome: Outcome = Field(description="ok: parsed; reask: asked again; reject: item "
                                         "failed; failed: the call itself failed")
    detail: str = Field("", description="the parse or call error, when there was one")
    cached: bool = False
    attempts: int = Field(0, description="HTTP attempts (0 for a cache hit)")
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    finish_reason: str | None = None
    reasoning: str = Field("", description="an excerpt of the model's reasoning")
    key: str = Field("", description="the response cache key of the call")
    judge_method: str | None = None
    p_yes: float | None = None
    score: float | None = Field(None, description="judge: log-odds of yes")
    question: str | None = None

    def trace_fields(self) -> dict[str, Any]:
        """Keyword arguments for `TraceWriter.write`: a debug block, or an evaluation for a judge.

        Example: trace.write(stage="caption", **call.trace_fields())
        """
        where = "cache" if self.cached else f"{self.latency_ms / 1000:.1f} s"
        data = self.model_dump(exclude={"question", "score"}, exclude_defaults=True)
        fields: dict[str, Any] = {"tokens_in": self.tokens_in, "tokens_out": self.tokens_out,
                                  "elapsed_ms": round(self.latency_ms, 1), "data": data}
        if self.question is not None and self.p_yes is not None:
            body = (f"{self.question} -> p(yes) {self.p_yes:.2f} by {self.judge_method} "
                    f"({where})")
            return {"type": "evaluation", "body": body, "score": self.score,
                    "q": self.question, **fields}
        tail = f": {self.detail}" if self.detail else ""
        body = (f"model call {self.skill} (round {self.round}): {self.tokens_in} tokens in, "
                f"{self.tokens_out} out, {where}; {self.outcome}{tail}")
        return {"type": "debug", "body": body, **fields}


class CallTotals(BaseModel):
    """Running sums over model calls; a stage's figures are the difference across it."""

    calls: int = 0
    cache_hits: int = 0
    requests: int = Field(0, description="HTTP attempts sent")
    reasks: int = 0
    rejects: int = 0
    failures: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0

    def add(self, call: ModelCall) -> None:
        """Count one call."""
        self.calls += 1
        self.cache_hits += call.cached
        self.requests += call.attempts
        self.reasks += call.outcome == "reask"
        self.rejects += call.outcome == "reject"
        self.failures += call.outcome == "failed"
        self.tokens_in += call.tokens_in
        self.tokens_out += call.tokens_out
        self.latency_ms += 0.0 if call.cached else call.latency_ms

    def minus(self, before: CallTotals) -> CallTotals:
        """What was counted since `before` was taken."""
        now, then = self.model_dump(), before.model_dump()
        return CallTotals(**{name: now[name] - then[name] for name in now})

    def figures(self) -> dict[str, Any]:
        """The totals as report figures (latency summed over calls, in seconds)."""
        values = self.model_dump(exclude={"latency_ms"})
        return {**values, "latency_s": round(self.latency_ms / 1000, 2)}


class CallLog:
    """The calls made since the last drain, and totals since the start; safe across threads.

    Undrained calls are kept up to `keep` (the oldest go first), so a run that never
    drains the log holds bounded memory; the totals count every call regardless.
    """

    def __init__(self, keep: int = 20_000) -> None:
        self._calls: deque[ModelCall] = deque(maxlen=keep)
        self._totals = CallTotals()
        self._lock = threading.Lock()

    def add(self, call: ModelCall) -> None:
        """Record one call."""
        with self._lock:
            self._calls.append(call)
            self._totals.add(call)

    def drain(self) -> list[ModelCall]:
        """The calls recorded since the last drain, oldest first; the log keeps its totals."""
        with self._lock:
            calls = list(self._calls)
            self._calls.clear()
        return calls

    def totals(self) -> CallTotals:
        """A copy of the totals since the log was made."""
        with self._lock:
            return self._totals.model_copy()
