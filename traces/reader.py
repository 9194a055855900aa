"""Reading a run's trace for people: what `read_trace` gives, plus what went wrong with the file.

`read_trace` (in `writer.py`) already skips a torn last line; this module
says so (`LoadedTrace.torn`), so viewers can warn that the run was cut off
while still showing every complete block. A damaged line in the middle, a
missing or empty file, or a block the schema does not know become one-line
`UserError`s naming the file and line. The trade-off: the file is read
twice (once to parse, once to look at its last line), which is cheap next
to rendering it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from retrolean.memory.errors import UserError
from retrolean.traces.schema import Block, TraceHeader
from retrolean.traces.writer import read_trace

TRACE_FILE = "trace.jsonl"


@dataclass
class LoadedTrace:
    """A trace as read from disk: header, complete blocks, and whether the last line was torn."""

    path: Path
    header: TraceHeader | None
    blocks: list[Block]
    torn: bool = False

    @property
    def run_id(self) -> str:
        return self.header.run_id if self.header else self.path.parent.name

    @property
    def goal(self) -> str:
        return self.header.goal if self.header else ""

    def warnings(self) -> list[str]:
        """What a reader should know about this file before trusting it."""
        out = []
        if self.torn:
            out.append(f"the last line of {self.path.name} was half-written (the run was cut "
                       f"off); showing the {len(self.blocks)} complete blocks")
        if self.header is None and self.blocks:
            out.append(f"{self.path.name} has no header line")
        return out


def _last_line_torn(path: Path) -> bool:
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    if not lines:
        return False
    try:
        json.loads(lines[-1])
    except json.JSONDecodeError:
        return True
    return False


def _first_bad_line(path: Path) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            if line.strip():
                json.loads(line)
        except json.JSONDecodeError:
            return number
    return 0


def load_trace(path: Path) -> LoadedTrace:
    """The trace at `path` (a run directory or its trace file), tolerating a torn last line."""
    if path.is_dir():
        path = path / TRACE_FILE
    if not path.is_file():
        raise UserError(f"{path} does not exist; the run has no trace")
    try:
        header, blocks = read_trace(path)
    except json.JSONDecodeError as e:
        raise UserError(f"{path} line {_first_bad_line(path)} is not JSON and is not the last "
                        "line; the trace is damaged") from e
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise UserError(f"{path} holds a block this version cannot read ({where}: "
                        f"{err['msg']}); upgrade retrolean or repair the line") from e
    except UnicodeDecodeError as e:
        raise UserError(f"{path} is not UTF-8 text; the trace is damaged") from e
    loaded = LoadedTrace(path=path, header=header, blocks=blocks, torn=_last_line_torn(path))
    if header is None and not blocks and not loaded.torn:
        raise UserError(f"{path} is empty; the run stopped before writing its trace")
    return loaded
