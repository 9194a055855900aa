"""Lessons: what each run leaves in the workspace's `lessons.md` for the planner of the next.

Every run appends one entry: a `## date time RUN_ID (status)` header, then
lines of facts (goal, yields, retries, thresholds) and a `plan key` line, a
hash of what fixes the planner's task — goal, recipe and parameters.

`lessons_for(path, key)` says what the planner reads. For a goal it has not
planned before (no entry with that key), the latest entries. For a rerun
(an entry with the same key exists), exactly what the first run with that
key read: the entries written before it. So a rerun's planner prompt is the
first run's, the response cache answers it, and the plan repeats — lessons
inform a new goal; they never change a rerun behind the user's back. Which
runs' lessons were read, and whether this was a rerun, travel with the
result so the trace and the screen can say so.

Trade-off: the file is plain Markdown that people read and edit; an entry
with no `plan key` line (written before keys existed, or by hand) is read as
a lesson but never matches a key.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrolean.memory.atomic import write_text_atomic

_HEADER = re.compile(r"^## \S+ \S+ (\S+) \(")
_KEY_LINE = re.compile(r"^- plan key: (\w+)\s*$", re.MULTILINE)
_TITLE = "# Lessons\n"


@dataclass
class Lessons:
    """What the planner reads: the text, whose runs it comes from, and the run this one
    repeats (same plan key), if any."""

    text: str = ""
    runs: list[str] = field(default_factory=list)
    rerun_of: str | None = None

    def summary(self) -> str:
        """One line for the trace and the screen.

        Example: Lessons("…", ["r1", "r2"]).summary() -> "lessons from 2 earlier runs (r1, r2)"
        """
        read = (f"lessons from {len(self.runs)} earlier run{'s' * (len(self.runs) != 1)} "
                f"({', '.join(self.runs)})") if self.runs else "no lessons"
        if self.rerun_of:
            return (f"a rerun of {self.rerun_of} (same goal, recipe and parameters): planned "
                    f"as then, with {read}")
        return read


def plan_key(goal: str, recipe: str, parameters: dict[str, Any]) -> str:
    """A short stable hash of what the planner plans for: goal, recipe, parameters.

    Example: plan_key("g", "make-r1-easier-to-prompt", {"n": 4}) -> "5d0c…" (16 hex digits)
    """
    canonical = json.dumps({"goal": goal.strip(), "recipe": recipe, "parameters": parameters},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _entries(path: Path) -> list[str]:
    if not path.exists():
        return []
    return ["## " + e for e in path.read_text(encoding="utf-8").split("\n## ")[1:]]


def _run_of(entry: str) -> str:
    found = _HEADER.match(entry)
    return found.group(1) if found else "?"


def _shown(entry: str) -> str:
    """An entry as the planner reads it: without its plan key line."""
    return _KEY_LINE.sub("", entry).replace("\n\n\n", "\n\n").strip()


def lessons_for(path: Path, key: str, keep: int = 3) -> Lessons:
    """The lessons the planner reads for a plan key (see the module docstring)."""
    entries = _entries(path)
    first = next((i for i, e in enumerate(entries)
                  if any(k == key for k in _KEY_LINE.findall(e))), None)
    earlier = entries if first is None else entries[:first]
    chosen = earlier[-keep:] if keep > 0 else []
    return Lessons(text="\n\n".join(_shown(e) for e in chosen),
                   runs=[_run_of(e) for e in chosen],
                   rerun_of=_run_of(entries[first]) if first is not None else None)


def append_lesson(path: Path, header: str, key: str, lines: list[str]) -> None:
    """Append one entry (`## header`, its plan key, then `lines`) atomically."""
    old = path.read_text(encoding="utf-8") if path.exists() else _TITLE
    entry = "\n".join([f"## {header}", "", f"- plan key: {key}", *lines])
    write_text_atomic(path, old.rstrip("\n") + "\n\n" + entry + "\n")
