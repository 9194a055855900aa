"""Conversation sets as SFT files: OpenAI messages JSONL or ShareGPT JSONL.

Each conversation of each record becomes one row, with the record's id,
template, persona and domains beside it. `messages` rows are
`{"messages": [{"role", "content"}, …]}` (checked with `traces.chat`);
`sharegpt` rows are `{"conversations": [{"from": "system"|"human"|"gpt",
"value"}, …]}`. Records can be deduplicated first and split by domain
combination; the test split goes to `<stem>.test.jsonl` beside the output.
The trade-off: deduplication works on records (their problem), so all the
conversations of a kept problem stay, and two conversations of one problem
are never treated as duplicates of each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from retrolean.memory.atomic import write_lines_atomic
from retrolean.memory.errors import UserError
from retrolean.memory.runs import read_run_set
from retrolean.tools.export.dedup import DedupReport, TextEmbedder, dedup
from retrolean.tools.export.split import assign_splits, split_records
from retrolean.traces.chat import validate_conversation

FORMATS = ("messages", "sharegpt")
SHAREGPT_FROM = {"system": "system", "user": "human", "assistant": "gpt"}


class ShareGptTurn(BaseModel):
    """One ShareGPT turn: `{"from": "human", "value": "…"}` (`from` is a Python keyword)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Literal["system", "human", "gpt"] = Field(alias="from")
    value: str


def sharegpt_turns(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Chat messages as ShareGPT turns. Example: [{"role": "user", …}] -> [{"from": "human", …}]"""
    return [ShareGptTurn(from_=SHAREGPT_FROM[m["role"]], value=m["content"]).model_dump(
        by_alias=True) for m in messages]


def conversation_rows(records: list[dict[str, Any]], fmt: str,
                      run_id: str = "") -> list[dict[str, Any]]:
    """One row per conversation, in the given format, with the record's facts beside it."""
    if fmt not in FORMATS:
        raise UserError(f"--format must be messages or sharegpt (got {fmt!r})")
    rows = []
    for r in records:
        for i, conv in enumerate(r.get("conversations") or []):
            messages = [{"role": m["role"], "content": m["content"]} for m in conv["messages"]]
            validate_conversation(messages)
            body = ({"messages": messages} if fmt == "messages"
                    else {"conversations": sharegpt_turns(messages)})
            rows.append({**body, "id": f"{r['id']}#{i}", "record_id": r["id"], "run_id": run_id,
                         "template": conv.get("template"), "persona": conv.get("persona"),
                         "domains": r.get("domains", [])})
    return rows


@dataclass
class ConversationExport:
    """What `export_conversations` wrote."""

    rows: dict[str, int] = field(default_factory=dict)
    paths: list[Path] = field(default_factory=list)
    dedup: DedupReport | None = None


def held_out_path(out: Path) -> Path:
    """Where the test split goes. Example: a/c.jsonl -> a/c.test.jsonl"""
    return out.with_name(out.name.removesuffix(".jsonl") + ".test.jsonl")


def export_conversations(run_dirs: list[Path], out: Path, fmt: str = "messages",
                         set_name: str = "conversations", dedup_mode: str = "exact",
                         embedder: TextEmbedder | None = None, threshold: float = 0.97,
                         test_size: float = 0.0, seed: int = 0) -> ConversationExport:
    """Write the runs' conversation sets to `out` (and the test split beside it)."""
    records: list[dict[str, Any]] = []
    owner: dict[int, str] = {}
    for run_dir in run_dirs:
        for r in read_run_set(run_dir, set_name):
            owner[id(r)] = run_dir.name
            records.append(r)
    kept, report = dedup(records, dedup_mode, embedder, threshold)
    parts = split_records(kept, assign_splits(kept, test_size, seed)) if test_size else \
        {"train": kept, "test": []}
    result = ConversationExport(dedup=report)
    for split, path in (("train", out), ("test", held_out_path(out))):
        if split == "test" and not test_size:
            continue
        rows = [row for r in parts[split]
                for row in conversation_rows([r], fmt, owner[id(r)])]
        if not rows and split == "train":
            raise UserError(f"no conversations to export from set {set_name!r} of "
                            f"{', '.join(d.name for d in run_dirs)}")
        write_lines_atomic(path, (json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
        result.rows[split] = len(rows)
        result.paths.append(path)
    return result
