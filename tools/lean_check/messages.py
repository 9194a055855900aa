"""Lean's output as `CheckMessage`s: `lean --json` lines and REPL responses.

`lean --json FILE` prints one JSON object per message (fileName, pos
{line, column}, endPos, severity "information" | "warning" | "error", caption,
data, and in newer versions kind, isSilent). The leanprover-community REPL
answers each command with one JSON object, pretty-printed over several lines
and followed by a blank line: {"env": n, "messages": [...], "sorries": [...]}
(empty lists omitted), or {"message": "..."} when the command itself failed;
its severities are "info" | "warning" | "error" | "trace". Lines are 1-based,
columns 0-based in both. `sorry` shows as the warning "declaration uses
'sorry'" (newer Lean quotes it with backticks) and, in the REPL, as "sorries".
Trade-off: messages are capped in number and length, since Lean can be chatty
and a verdict is stored with every record.

Example: parse_lean_json('{"severity":"error","pos":{"line":3,"column":2},"data":"oops"}')
         -> [CheckMessage(severity="error", text="oops", line=3, column=2)]
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from pydantic import BaseModel, Field

from retrolean.tools.verdict import CheckMessage, Severity

log = logging.getLogger(__name__)

MAX_MESSAGES = 200
MAX_TEXT = 4000
SORRY_WARNING = re.compile(r"declaration uses ['`]sorry['`]")
_SEVERITY: dict[str, Severity] = {"error": "error", "warning": "warning",
                                  "information": "information", "info": "information",
                                  "trace": "information"}


class LeanRun(BaseModel):
    """What one run of Lean (a process or a REPL command) produced, before any policy."""

    messages: list[CheckMessage] = Field(default_factory=list)
    sorries: list[CheckMessage] = Field(default_factory=list)
    returncode: int | None = None
    timed_out: bool = False
    out_of_memory: bool = False
    crashed: bool = False
    detail: str = ""
    elapsed_ms: float = 0.0


class ReplResponse(BaseModel):
    """One REPL answer: the new environment, its messages and sorries, or the REPL's error."""

    env: int | None = None
    messages: list[CheckMessage] = Field(default_factory=list)
    sorries: list[CheckMessage] = Field(default_factory=list)
    error: str | None = None


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " …"


def _position(obj: Any, line_offset: int) -> tuple[int | None, int | None]:
    if not isinstance(obj, dict) or not isinstance(obj.get("line"), int):
        return None, None
    column = obj.get("column")
    return obj["line"] + line_offset, column if isinstance(column, int) else None


def message_from_json(obj: dict[str, Any], line_offset: int = 0) -> CheckMessage:
    """One Lean message object (CLI or REPL shape) as a CheckMessage, its line shifted."""
    severity = _SEVERITY.get(str(obj.get("severity", "error")), "error")
    text = str(obj.get("data", ""))
    caption = obj.get("caption")
    if caption:
        text = f"{caption}:\n{text}"
    line, column = _position(obj.get("pos"), line_offset)
    return CheckMessage(severity=severity, text=_clip(text.strip()), line=line, column=column)


def parse_lean_json(output: str) -> list[CheckMessage]:
    """Messages of `lean --json` output; other non-empty lines become information messages."""
    messages: list[CheckMessage] = []
    for raw in output.splitlines():
        line = raw.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict) and "severity" in obj:
            messages.append(message_from_json(obj))
        else:
            messages.append(CheckMessage(severity="information", text=_clip(line)))
    return _cap(messages)


def _cap(messages: list[CheckMessage]) -> list[CheckMessage]:
    if len(messages) <= MAX_MESSAGES:
        return messages
    errors = [m for m in messages if m.severity == "error"]
    kept = (errors + [m for m in messages if m.severity != "error"])[:MAX_MESSAGES]
    dropped = len(messages) - len(kept)
    return kept + [CheckMessage(severity="information", text=f"{dropped} more messages dropped")]


def parse_repl_response(obj: dict[str, Any], line_offset: int = 0) -> ReplResponse:
    """A REPL answer to a command; lines shifted by `line_offset` (the header's lines)."""
    if "message" in obj and "env" not in obj:
        return ReplResponse(error=_clip(str(obj["message"])))
    messages = [message_from_json(m, line_offset) for m in obj.get("messages") or []
                if isinstance(m, dict)]
    sorries = []
    for s in obj.get("sorries") or []:
        if isinstance(s, dict):
            line, column = _position(s.get("pos"), line_offset)
            goal = str(s.get("goal", "")).strip()
            sorries.append(CheckMessage(severity="warning", line=line, column=column,
                                        text=_clip(f"sorry: {goal}" if goal else "sorry")))
    env = obj.get("env")
    return ReplResponse(env=env if isinstance(env, int) else None,
                        messages=_cap(messages), sorries=sorries)


def is_sorry_warning(message: CheckMessage) -> bool:
    """Whether a message is Lean's "declaration uses 'sorry'" warning."""
    return message.severity == "warning" and bool(SORRY_WARNING.search(message.text))


class JsonAccumulator:
    """Collects lines of a JSON stream until they make one complete object.

    Example: feed('{"env":'), feed(' 0}') -> None, {"env": 0}
    """

    def __init__(self) -> None:
        self._lines: list[str] = []

    def feed(self, line: str) -> dict[str, Any] | None:
        """Add one line; return the object it completes, else None."""
        stripped = line.strip()
        if not self._lines and not stripped.startswith("{"):
            if stripped:
                log.debug("ignoring non-JSON output line %r", stripped[:200])
            return None
        if stripped:
            self._lines.append(line)
        if not self._lines or not (stripped.endswith("}") or not stripped):
            return None
        try:
            obj = json.loads("".join(self._lines))
        except json.JSONDecodeError:
            if not stripped:  # a blank line ends a response: drop what cannot parse
                log.warning("dropping unparsable REPL output %r", "".join(self._lines)[:200])
                self._lines.clear()
            return None
        self._lines.clear()
        return obj if isinstance(obj, dict) else None
