"""A run's sets as a Hugging Face dataset: parquet files per set and split, and a dataset card.

Layout under the output directory: `data/<set>/<split>.parquet` and a
`README.md` whose front matter lists each set as a config — the conversations
set (else the last set exported) marked `default: true` — so
`load_dataset(DIR)`, `load_dataset(DIR, "<set>")` and
`load_dataset("parquet", data_files=…)` all read it. Rows have fixed, typed
columns (`features`) for the parts people train and filter on — formal text
and verdict, caption and round-trip similarity, personas, the missing-domain
version, fill-in, conversations, provenance — plus `record_json`, the whole
record, so nothing is lost. The conversations set has one row per
conversation, its turns in a top-level `messages` column (role, content) that
chat trainers such as TRL's SFTTrainer read as they are, beside `template`,
`persona` and the record's columns. The trade-off: parts whose shape varies
by domain (a template problem's `spec`, witnesses) live only in `record_json`,
because a column needs one type for every row; and a conversation row repeats
its record's columns.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from retrolean.memory.atomic import write_text_atomic
from retrolean.memory.errors import UserError
from retrolean.memory.runs import read_plan, set_names, set_path
from retrolean.tools.export.dataset_card import MARKER, DatasetExport, SetExport, render_card
from retrolean.tools.export.dedup import TextEmbedder, dedup
from retrolean.tools.export.split import assign_splits, split_records
from retrolean.tools.save_set import load_set

log = logging.getLogger(__name__)
CONVERSATIONS = "conversations"  # the set exported one row per conversation


def features() -> Any:
    """The column types of every exported set."""
    from datasets import Features, List, Value

    text, num, flag = Value("string"), Value("float64"), Value("bool")
    message = {"role": text, "content": text}
    return Features({
        "id": text, "domains": List(text), "theme": text,
        "formal_language": text, "formal_text": text, "formal_status": text,
        "formal_checker": text,
        "presence": List({"domain": text, "touchstones": flag, "judge": num}),
        "english": text, "roundtrip_text": text, "roundtrip_similarity": num,
        "roundtrip_method": text, "missing_method": text,
        "personas": List({"persona": text, "text": text}),
        "missing_dropped": text, "missing_persona": text, "missing_frame_shifted": flag,
        "missing_text": text, "missing_similarity": num, "fill_in": text,
        "conversations": List({"template": text, "persona": text, "messages": List(message)}),
        "generator": text, "model": text, "recipe": text, "seed": Value("int64"),
        "reject_stage": text, "reject_reason": text, "record_json": text,
    })


def conversation_features() -> Any:
    """The columns of the conversations set: `messages` first, then the record's."""
    from datasets import Features, List, Value

    text = Value("string")
    record = {k: v for k, v in features().items() if k != "conversations"}
    return Features({"messages": List({"role": text, "content": text}), "template": text,
                     "persona": text, "conversation": Value("int64"), **record})


def conversation_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per conversation of a record: its messages, template and persona, then the
    record's columns."""
    record = {k: v for k, v in record_row(r).items() if k != "conversations"}
    return [{"messages": [{"role": m.get("role"), "content": m.get("content")}
                          for m in c.get("messages", [])],
             "template": c.get("template"), "persona": c.get("persona"), "conversation": i,
             **record}
            for i, c in enumerate(r.get("conversations") or [])]


def record_row(r: dict[str, Any]) -> dict[str, Any]:
    """One record as a row of typed columns (the full record kept as JSON)."""
    formal, english = r.get("formal") or {}, r.get("english") or {}
    check, rt = formal.get("check") or {}, english.get("roundtrip") or {}
    missing, prov, reject = r.get("missing") or {}, r.get("provenance") or {}, r.get("reject") or {}
    return {
        "id": r["id"], "domains": r.get("domains", []), "theme": r.get("theme"),
        "formal_language": formal.get("language"), "formal_text": formal.get("text"),
        "formal_status": check.get("status"), "formal_checker": check.get("checker"),
        "presence": [{"domain": d, "touchstones": p.get("touchstones"), "judge": p.get("judge")}
                     for d, p in (r.get("presence") or {}).items()],
        "english": english.get("text"), "roundtrip_text": rt.get("text"),
        "roundtrip_similarity": rt.get("similarity"), "roundtrip_method": rt.get("method"),
        "missing_method": missing.get("method"),
        "personas": [{"persona": k, "text": p.get("text")}
                     for k, p in (r.get("personas") or {}).items()],
        "missing_dropped": missing.get("dropped"), "missing_persona": missing.get("persona"),
        "missing_frame_shifted": missing.get("frame_shifted"), "missing_text": missing.get("text"),
        "missing_similarity": (missing.get("roundtrip") or {}).get("similarity"),
        "fill_in": (r.get("fill_in") or {}).get("text"),
        "conversations": [{"template": c.get("template"), "persona": c.get("persona"),
                           "messages": c.get("messages", [])}
                          for c in r.get("conversations") or []],
        "generator": prov.get("generator"), "model": prov.get("model"),
        "recipe": prov.get("recipe"), "seed": prov.get("seed"),
        "reject_stage": reject.get("stage"), "reject_reason": reject.get("reason"),
        "record_json": json.dumps(r, ensure_ascii=False, sort_keys=True),
    }


def _prepare_out(out: Path) -> None:
    """Refuse a file or a foreign non-empty directory; clear the data of an earlier export."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file; give a directory")
    if out.is_dir() and any(out.iterdir()):
        card = out / "README.md"
        if not (card.is_file() and MARKER in card.read_text(encoding="utf-8", errors="replace")):
            raise UserError(f"--out {out} is a non-empty directory that is not a retrolean "
                            "dataset export; give a new or empty directory")
        shutil.rmtree(out / "data", ignore_errors=True)


def export_dataset(run_dir: Path, out: Path, dedup_mode: str = "exact",
                   embedder: TextEmbedder | None = None, threshold: float = 0.97,
                   test_size: float = 0.2, seed: int = 0, rejects: bool = False,
                   only: list[str] | None = None) -> DatasetExport:
    """Write the run's sets (accepted; rejects too if asked) as parquet plus a dataset card."""
    import datasets

    datasets.disable_progress_bars()
    _prepare_out(out)
    names = [n for n in set_names(run_dir) if rejects or not n.endswith(".rejects")]
    if only:
        names = [set_path(run_dir, n).name.removesuffix(".jsonl") for n in only]
    if not names:
        raise UserError(f"run {run_dir.name} has no sets to export")
    loaded = {n: load_set(set_path(run_dir, n)) for n in names}
    assignment = assign_splits([r for rs in loaded.values() for r in rs], test_size, seed)
    result = DatasetExport(out=out)
    result.combinations = {s: sum(1 for v in assignment.values() if v == s)
                           for s in ("train", "test")}
    for name, records in loaded.items():
        kept, report = dedup(records, dedup_mode, embedder, threshold)
        per_conversation = name == CONVERSATIONS
        export = SetExport(name=name, records=len(kept), dedup=report,
                           unit="conversations" if per_conversation else "records")
        feats = conversation_features() if per_conversation else features()
        for split, records_in_split in split_records(kept, assignment).items():
            rows = [row for r in records_in_split for row in conversation_rows(r)] \
                if per_conversation else [record_row(r) for r in records_in_split]
            if not rows:
                continue
            rel = f"data/{name}/{split}.parquet"
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            datasets.Dataset.from_list(rows, features=feats).to_parquet(str(out / rel))
            export.splits[split], export.files[split] = len(rows), rel
        result.sets.append(export)
        log.info("exported set %s: %s", name, export.splits)
    write_text_atomic(out / "README.md", render_card(run_dir, read_plan(run_dir), result,
                                                     test_size=test_size, seed=seed))
    return result
