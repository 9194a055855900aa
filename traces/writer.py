"""Trace writers: blocks go to sinks as they happen.

`TraceWriter` numbers blocks and hands each to its sinks; `JsonlSink`
appends one line per block and flushes, so a run killed at any point keeps
every block written so far. A screen sink lives in the CLI (rich is UI only).
`read_trace` reads a file back as typed blocks, whatever version wrote it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Protocol

from retrolean.traces.schema import Block, BlockType, TraceHeader, make_block
from retrolean.traces.upgrade import read_block


class TraceSink(Protocol):
    def emit(self, block: Block) -> None: ...


class JsonlSink:
    """Appends blocks to `trace.jsonl`, writing the header first if the file is new."""

    def __init__(self, path: Path, header: TraceHeader) -> None:
        self.path = path
        if not path.exists() or path.stat().st_size == 0:
            self._append(header.model_dump_json())
        else:
            drop_torn_tail(path)

    def _append(self, line: str) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())

    def emit(self, block: Block) -> None:
        self._append(block.model_dump_json(exclude_none=True))


def drop_torn_tail(path: Path) -> None:
    """Cut a half-written last line (a crash mid-write) so appending starts on a clean line."""
    with path.open("rb+") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        if size == 0:
            return
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return
        f.seek(0)
        data = f.read()
        f.truncate(data.rfind(b"\n") + 1)


class TraceWriter:
    """Numbers blocks and fans them out to sinks."""

    def __init__(self, sinks: list[TraceSink], start_index: int = 0) -> None:
        self.sinks = sinks
        self.index = start_index

    def write(self, type: BlockType, body: str, *, stage: str | None = None,
              **fields: Any) -> Block:
        """Record one block of the given type (its `data` a model or a dict) and return it."""
        return self.add(make_block(type, body, stage=stage, **fields))

    def add(self, block: Block) -> Block:
        """Record a block made elsewhere (e.g. `call_block`), numbered here; return it."""
        block = block.model_copy(update={"index": self.index})
        self.index += 1
        for sink in self.sinks:
            sink.emit(block)
        return block


def read_trace(path: Path) -> tuple[TraceHeader | None, list[Block]]:
    """Header and typed blocks of a trace file of any version; a torn last line (from a
    crash) is skipped."""
    header: TraceHeader | None = None
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            if i == len(lines) - 1:
                break
            raise
        if i == 0 and data.get("format") == "retrolean-trace":
            header = TraceHeader.model_validate(data)
        else:
            blocks.append(read_block(data, header.version if header else 1))
    return header, blocks
