"""Golden traces: pick the best runs by score, rating and rank, and write them as SFT files.

`select_golden` filters run summaries (rating, minimum score), ranks them by
score and keeps the top share or count. `write_golden` writes three JSONL
files beside each other: `<out>` with one conversation per trace
(`messages`, `tools`, and the run's id, goal, score and rating),
`<stem>.weave.jsonl` with one weave-agent document per trace (`text`), and
`<stem>.weave-pairs.jsonl` with weave-agent's training split (`prompt`,
`completion`). The trade-off: a trace is exported whole or not at all; no
attempt is made to cut the good stretch out of a mixed run.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrolean.memory.atomic import write_lines_atomic
from retrolean.memory.errors import UserError
from retrolean.traces.export import tool_schemas, trace_messages, weave_pairs, weave_text
from retrolean.traces.reader import load_trace
from retrolean.traces.summary import RunSummary

RATING_FILTERS = ("good", "bad", "unrated", "any")


def parse_top(text: str) -> tuple[str, float]:
    """`20%` -> ("share", 0.2); `5` -> ("count", 5); UserError otherwise."""
    t = text.strip()
    try:
        if t.endswith("%"):
            share = float(t[:-1]) / 100
            if 0 < share <= 1:
                return "share", share
        elif int(t) >= 1:
            return "count", int(t)
    except ValueError:
        pass
    raise UserError(f"--top takes a share like 20% or a count like 5 (got {text!r})")


def select_golden(summaries: list[RunSummary], top: str | None = None,
                  min_score: float | None = None, rating: str = "any") -> list[RunSummary]:
    """The runs passing the filters, best score first; UserError when none does."""
    if rating not in RATING_FILTERS:
        raise UserError(f"--rating must be one of {', '.join(RATING_FILTERS)} (got {rating!r})")
    pool = [s for s in summaries if s.score is not None and s.problem is None]
    if rating == "unrated":
        pool = [s for s in pool if s.rating is None]
    elif rating != "any":
        pool = [s for s in pool if s.rating is not None and s.rating.label == rating]
    if min_score is not None:
        pool = [s for s in pool if s.score and s.score.total >= min_score]
    pool.sort(key=lambda s: (s.score.total if s.score else 0.0, s.run_id), reverse=True)
    if top:
        kind, value = parse_top(top)
        keep = math.ceil(len(pool) * value) if kind == "share" else int(value)
        pool = pool[:max(1, keep)] if pool else pool
    if not pool:
        raise UserError(f"no trace passes the filters (rating {rating}, min score {min_score}, "
                        f"top {top}) among {len(summaries)} runs; `retrolean traces list "
                        "--sort score` shows the scores")
    return pool


@dataclass
class GoldenExport:
    """What `write_golden` wrote."""

    traces: int
    paths: list[Path] = field(default_factory=list)
    pairs: int = 0


def sibling(out: Path, suffix: str) -> Path:
    """A file beside `out` sharing its stem. Example: a/g.jsonl, ".weave" -> a/g.weave.jsonl"""
    return out.with_name(out.name.removesuffix(".jsonl") + suffix + ".jsonl")


def write_golden(selected: list[RunSummary], out: Path,
                 tools: dict[str, dict[str, Any]] | None = None) -> GoldenExport:
    """Write the selected traces as chat conversations and weave-agent texts; `tools` gives
    the function schema of each tool by name (the registry's) for the `tools` column."""
    chats, docs, pairs = [], [], []
    for s in selected:
        trace = load_trace(s.path)
        meta = {"run_id": s.run_id, "goal": trace.goal,
                "score": s.score.total if s.score else None,
                "rating": s.rating.label if s.rating else None}
        messages = trace_messages(trace.goal, trace.blocks)
        chats.append({"messages": messages, "tools": tool_schemas(messages, tools), **meta})
        docs.append({"text": weave_text(trace.blocks), **meta})
        pairs += [{**p, "run_id": s.run_id} for p in weave_pairs(trace.blocks)]
    paths = [out, sibling(out, ".weave"), sibling(out, ".weave-pairs")]
    for path, rows in zip(paths, (chats, docs, pairs), strict=True):
        write_lines_atomic(path, (json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return GoldenExport(traces=len(selected), paths=paths, pairs=len(pairs))
