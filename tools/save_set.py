"""save_set: write a set of records as JSONL, atomically, rejects beside it.

`sets/<name>.jsonl` holds the accepted records, `sets/<name>.rejects.jsonl`
the rejected ones with their reasons (written only when there are any, and
removed when a rerun has none). Records are pydantic models or plain dicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from retrolean.memory.atomic import write_lines_atomic


def _line(record: BaseModel | dict[str, Any]) -> str:
    if isinstance(record, BaseModel):
        return record.model_dump_json(exclude_none=False) + "\n"
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def save_set(
    directory: Path,
    name: str,
    accepted: Iterable[BaseModel | dict[str, Any]],
    rejected: Iterable[BaseModel | dict[str, Any]] = (),
) -> dict[str, Path]:
    """Write `<name>.jsonl` (and `<name>.rejects.jsonl` if any); return the paths written."""
    paths = {"accepted": directory / f"{name}.jsonl"}
    write_lines_atomic(paths["accepted"], (_line(r) for r in accepted))
    rejects_path = directory / f"{name}.rejects.jsonl"
    rejected = list(rejected)
    if rejected:
        write_lines_atomic(rejects_path, (_line(r) for r in rejected))
        paths["rejected"] = rejects_path
    else:
        rejects_path.unlink(missing_ok=True)
    return paths


def load_set(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL set back as dicts (a torn last line, from a crash, is skipped)."""
    out = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            if i == len(lines) - 1:
                break
            raise
    return out
