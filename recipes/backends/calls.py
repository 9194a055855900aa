"""What the model backend did, call by call: the log that the trace and the report read.

Every model call a skill makes — a first ask, a re-ask after a parse error, a
judged question — becomes one `ModelCall` (the debug block's data, defined in
`traces`): the skill, the round, tokens in and out, latency, HTTP attempts,
whether the cache answered, an excerpt of the reasoning, and what came of it.
The backend appends to a `CallLog`; the run drains it into trace blocks
(`traces.schema.call_block`), and `CallTotals` keeps running sums from which
a stage's figures are taken.

Trade-off: the log keeps an excerpt of the reasoning (head and tail), not all
of it: R1 thinks for thousands of tokens per call, and the whole answer stays
in the response cache under the call's `key`.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from pydantic import BaseModel, Field

from retrolean.traces.block_data import ModelCall

__all__ = ["CallLog", "CallTotals", "ModelCall", "excerpt"]
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


class CallTotals(BaseModel):
    """Running sums over model calls; a stage's figures are the difference across it.

    Requests and tokens are what reached the server: a cache hit adds a call and a
    cache hit, no request and no tokens (its record keeps the original call's tokens).
    """

    calls: int = 0
    cache_hits: int = 0
    requests: int = Field(0, description="HTTP attempts sent")
    reasks: int = 0
    rejects: int = 0
    failures: int = 0
    tokens_in: int = Field(0, description="prompt tokens the server counted")
    tokens_out: int = Field(0, description="completion tokens the server counted")
    latency_ms: float = 0.0

    def add(self, call: ModelCall) -> None:
        """Count one call."""
        self.calls += 1
        self.cache_hits += call.cached
        self.requests += call.attempts
        self.reasks += call.outcome == "reask"
        self.rejects += call.outcome == "reject"
        self.failures += call.outcome == "failed"
        if not call.cached:
            self.tokens_in += call.tokens_in
            self.tokens_out += call.tokens_out
            self.latency_ms += call.latency_ms

    def plus(self, other: CallTotals) -> CallTotals:
        """The sum of two totals.

        Example: CallTotals(calls=2).plus(CallTotals(calls=1, requests=3)).calls -> 3
        """
        mine, theirs = self.model_dump(), other.model_dump()
        return CallTotals(**{name: mine[name] + theirs[name] for name in mine})

    def minus(self, before: CallTotals) -> CallTotals:
        """What was counted since `before` was taken."""
        now, then = self.model_dump(), before.model_dump()
        return CallTotals(**{name: now[name] - then[name] for name in now})

    def figures(self) -> dict[str, Any]:
        """The totals as report figures (latency summed over calls, in seconds)."""
        values = self.model_dump(exclude={"latency_ms"})
        return {**values, "latency_s": round(self.latency_ms / 1000, 2)}

    @classmethod
    def from_figures(cls, figures: dict[str, Any]) -> CallTotals:
        """The totals back from `figures()` (zero for an empty dict)."""
        values = {k: v for k, v in figures.items() if k in cls.model_fields}
        return cls(**values, latency_ms=float(figures.get("latency_s", 0.0)) * 1000)


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
