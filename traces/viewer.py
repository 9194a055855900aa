"""The trace as a terminal timeline: rich renderables, built here and printed by the CLI.

One row per block: index, clock time and offset from the start, type,
stage, tokens, elapsed time and the body. Bodies are folded to their first
lines unless `full` is asked for, which also shows each block's data as
highlighted JSON and its judged question. Filters keep the blocks of given
types or stages; asking for a type or stage the trace does not have is a
one-line error naming the ones it has. The trade-off: a table, not a tree,
so parallel or nested steps read as a flat sequence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import get_args

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from retrolean.memory.errors import UserError
from retrolean.traces.reader import LoadedTrace
from retrolean.traces.schema import Block, BlockType

BLOCK_TYPES: tuple[str, ...] = get_args(BlockType)
STYLES = {
    "orientation": "bold cyan", "action": "bold green", "expectation": "magenta",
    "observation": "blue", "evaluation": "yellow", "outcome": "bold white on dark_green",
    "error": "bold white on red", "debug": "dim", "backtrack": "bold red",
    "task-reminder": "cyan", "user": "bold blue",
}
FOLD_LINES = 2
FOLD_CHARS = 240


def _split(values: Iterable[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def filter_blocks(blocks: list[Block], types: Iterable[str] | None = None,
                  stages: Iterable[str] | None = None) -> list[Block]:
    """The blocks of the given types and stages (comma lists allowed); all when none given."""
    want_types, want_stages = _split(types), _split(stages)
    for t in want_types:
        if t not in BLOCK_TYPES:
            raise UserError(f"unknown block type {t!r}; types: {', '.join(BLOCK_TYPES)}")
    present = list(dict.fromkeys(b.stage for b in blocks if b.stage))
    for s in want_stages:
        if s not in present:
            raise UserError(f"no stage {s!r} in this trace; stages: {', '.join(present) or 'none'}")
    return [b for b in blocks
            if (not want_types or b.type in want_types)
            and (not want_stages or b.stage in want_stages)]


def judged_line(block: Block) -> str | None:
    """`q: … Yes. (93.1%)` for a judged block, else None."""
    judged = block.judgement()
    if judged is None:
        return None
    answer, prob = judged
    return f"q: {block.q or '(no question recorded)'} {answer} ({100 * prob:.1f}%)"


def fold(text: str, lines: int = FOLD_LINES, chars: int = FOLD_CHARS) -> str:
    """The first lines of a text, with a note of what was left out.

    Example: fold("a\\nb\\nc", lines=1) -> "a  … (+2 lines)"
    """
    all_lines = text.splitlines() or [""]
    head = "\n".join(all_lines[:lines])
    cut = head if len(head) <= chars else head[:chars].rstrip()
    if cut == text:
        return text
    hidden_lines = len(all_lines) - min(lines, len(all_lines))
    more = f"+{hidden_lines} lines" if hidden_lines else f"+{len(text) - len(cut)} chars"
    return f"{cut}  … ({more})"


def _clock(ts: str, start: datetime | None) -> str:
    try:
        t = datetime.fromisoformat(ts)
    except ValueError:
        return ts
    offset = f" +{(t - start).total_seconds():.1f}s" if start else ""
    return t.strftime("%H:%M:%S") + offset


def _tokens(b: Block) -> str:
    if b.tokens_in is None and b.tokens_out is None:
        return ""
    return f"{b.tokens_in or 0}→{b.tokens_out or 0}"


def block_cell(b: Block, full: bool) -> RenderableType:
    """The body (folded or whole), with its judged question and, in full, its data."""
    parts: list[RenderableType] = [Text(b.body if full else fold(b.body))]
    if line := judged_line(b):
        parts.append(Text(line, style="italic yellow"))
    if full and (data := b.data_view()):
        parts.append(Syntax(json.dumps(data, indent=2, ensure_ascii=False), "json",
                            word_wrap=True, background_color="default"))
    return Group(*parts) if len(parts) > 1 else parts[0]


def timeline(trace: LoadedTrace, types: Iterable[str] | None = None,
             stages: Iterable[str] | None = None, full: bool = False) -> RenderableType:
    """The trace as a header and a table of (filtered) blocks."""
    blocks = filter_blocks(trace.blocks, types, stages)
    try:
        start = datetime.fromisoformat(trace.blocks[0].timestamp) if trace.blocks else None
    except ValueError:
        start = None
    head = Text()
    head.append(f"run {trace.run_id}\n", style="bold")
    head.append(f"goal: {trace.goal or '(unknown)'}\n")
    if trace.header:
        head.append(f"created {trace.header.created}, trace format v{trace.header.version}; ")
    head.append(f"{len(blocks)} of {len(trace.blocks)} blocks shown")
    for warning in trace.warnings():
        head.append(f"\nwarning: {warning}", style="bold red")
    table = Table(expand=True, show_lines=full, pad_edge=False)
    for col, kw in (("#", {"justify": "right", "width": 4}), ("time", {"no_wrap": True}),
                    ("type", {"no_wrap": True}), ("stage", {"no_wrap": True}),
                    ("tok", {"justify": "right"}), ("ms", {"justify": "right"}),
                    ("body", {"ratio": 1})):
        table.add_column(col, **kw)
    for b in blocks:
        table.add_row(str(b.index), _clock(b.timestamp, start),
                      Text(b.type, style=STYLES.get(b.type, "")), b.stage or "",
                      _tokens(b), f"{b.elapsed_ms:.0f}" if b.elapsed_ms is not None else "",
                      block_cell(b, full))
    return Group(Panel(head, title="trace", expand=True), table)
