"""The trace: one typed block per line, in weave-agent's vocabulary.

The first line of `trace.jsonl` is a `TraceHeader` stating the format and its
version; every other line is a `Block`. Blocks carry their stage, time,
tokens and timings, and — where something was judged — a `score` (log-odds of
yes) with its question `q`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

FORMAT = "retrolean-trace"
VERSION = 1

BlockType = Literal[
    "orientation", "action", "expectation", "observation", "evaluation", "outcome",
    "error", "debug", "backtrack", "task-reminder", "user",
]


def now() -> str:
    """The current UTC time in ISO 8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class TraceHeader(BaseModel):
    """First line of a trace: what the file is and which run it belongs to."""

    format: Literal["retrolean-trace"] = FORMAT
    version: int = VERSION
    run_id: str
    goal: str
    created: str = Field(default_factory=now)


class Block(BaseModel):
    """One step of the run: what was thought, done, expected, seen, judged or concluded."""

    type: BlockType
    index: int = 0
    timestamp: str = Field(default_factory=now)
    stage: str | None = None
    body: str
    data: dict[str, Any] = Field(default_factory=dict)
    tokens_in: int | None = None
    tokens_out: int | None = None
    elapsed_ms: float | None = None
    score: float | None = None
    q: str | None = None
