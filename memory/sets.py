"""A run's sets on disk, in either layout, and the manifest of a sharded one.

Two layouts, read alike by every command that reads sets:

- **one file**: `sets/<stage>.jsonl` (accepted) and `sets/<stage>.rejects.jsonl`, committed
  to the workspace's git with the run — what a run of up to `--shard-size` problems writes;
- **shards**: `sets/<stage>/part-NNNNN.jsonl` and `part-NNNNN.rejects.jsonl` beside a
  `manifest.json` (per shard: records in, counts and SHA-256 of each part) — what a larger
  run writes. Git keeps the manifest; the parts are git-ignored (`SHARD_IGNORE`), so
  gigabytes of records never enter the history. They stay in the run directory; a user
  moves them with the run (rsync, object store) and `read_set` checks each part's hash
  against the manifest, so a part that went missing or changed is named, never read silently.

Shard k of every stage holds the records sampled at positions [k·S, (k+1)·S) that are
still alive, so a stage's shard k reads only the previous stage's shard k: shards are
independent lanes, and a stage killed midway resumes by redoing only the shards its
manifest does not list (the manifest is rewritten atomically after each finished shard).

A set is named by its stage (`caption`) or `caption.rejects`; readers use `set_names`,
`has_set`, `read_set` / `iter_set`, never paths.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from retrolean.memory.atomic import write_lines_atomic, write_text_atomic
from retrolean.memory.errors import UserError

REJECTS = ".rejects"
MANIFEST = "manifest.json"
SHARD_IGNORE = "runs/*/sets/*/part-*"  # the workspace's .gitignore line for shard parts


class Part(BaseModel):
    """One shard file: its name in the stage's directory, record count and SHA-256."""

    path: str
    records: int
    sha256: str


class Shard(BaseModel):
    """One finished shard of a stage: records in, the accepted part, the rejects part."""

    index: int
    records_in: int
    accepted: Part
    rejected: Part | None = None
    figures: dict[str, Any] = Field(default_factory=dict)  # the shard's additive figures
    reasons: dict[str, int] = Field(default_factory=dict)  # reject kind -> records


class SetManifest(BaseModel):
    """What a sharded stage wrote: its finished shards, and what they were made from (`key`)."""

    format: Literal["retrolean-sharded-set"] = "retrolean-sharded-set"
    version: int = 1
    stage: str
    key: str = Field(description="digest of the stage's input and settings; shards made "
                                 "under another key are not reused")
    shard_size: int
    shard_count: int
    shards: list[Shard] = Field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every shard is written."""
        return {s.index for s in self.shards} == set(range(self.shard_count))

    def done(self) -> set[int]:
        """Indices of the shards already written."""
        return {s.index for s in self.shards}

    def counts(self) -> tuple[int, int, int]:
        """(records in, accepted, rejected) over the finished shards."""
        return (sum(s.records_in for s in self.shards), sum(s.accepted.records for s in
                self.shards), sum(s.rejected.records if s.rejected else 0 for s in self.shards))


def _line(record: BaseModel | dict[str, Any]) -> str:
    if isinstance(record, BaseModel):
        return record.model_dump_json(exclude_none=False) + "\n"
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def digest(lines: Iterable[str]) -> str:
    """SHA-256 of the concatenated lines. Example: digest(["a\\n"]) -> "87428fc5…"."""
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode("utf-8"))
    return h.hexdigest()


# --- writing ---------------------------------------------------------------------------------

def stage_dir(sets_dir: Path, stage: str) -> Path:
    """The directory of a sharded stage."""
    return sets_dir / stage


def read_manifest(sets_dir: Path, stage: str) -> SetManifest | None:
    """The stage's manifest, or None when the stage has no sharded set."""
    path = stage_dir(sets_dir, stage) / MANIFEST
    if not path.is_file():
        return None
    try:
        return SetManifest.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise UserError(f"{path} is not a set manifest ({str(e).splitlines()[0]}); the run "
                        "is damaged") from e


def open_sharded(sets_dir: Path, stage: str, key: str, shard_size: int,
                 shard_count: int) -> SetManifest:
    """The stage's manifest to add shards to: the one on disk when it was made under the same
    `key` (a resumed stage keeps its finished shards), else a fresh one (old parts removed,
    and the one-file layout of the same stage too)."""
    found = read_manifest(sets_dir, stage)
    if (found is not None and found.key == key and found.shard_size == shard_size
            and found.shard_count == shard_count):
        return found
    directory = stage_dir(sets_dir, stage)
    if directory.exists():
        shutil.rmtree(directory)
    for name in (f"{stage}.jsonl", f"{stage}{REJECTS}.jsonl"):
        (sets_dir / name).unlink(missing_ok=True)
    manifest = SetManifest(stage=stage, key=key, shard_size=shard_size, shard_count=shard_count)
    write_text_atomic(directory / MANIFEST, manifest.model_dump_json(indent=1) + "\n")
    return manifest


def _write_part(path: Path, records: list[BaseModel | dict[str, Any]]) -> Part:
    lines = [_line(r) for r in records]
    write_lines_atomic(path, lines)
    return Part(path=path.name, records=len(lines), sha256=digest(lines))


def write_shard(sets_dir: Path, manifest: SetManifest, index: int, records_in: int,
                accepted: list[BaseModel | dict[str, Any]],
                rejected: list[BaseModel | dict[str, Any]],
                figures: dict[str, Any] | None = None,
                reasons: dict[str, int] | None = None) -> Shard:
    """Write shard `index` (parts first, then the manifest naming them: a kill in between
    leaves the shard unlisted, so it is redone) and add it to `manifest`."""
    directory = stage_dir(sets_dir, manifest.stage)
    shard = Shard(index=index, records_in=records_in,
                  accepted=_write_part(directory / f"part-{index:05d}.jsonl", accepted),
                  rejected=_write_part(directory / f"part-{index:05d}{REJECTS}.jsonl", rejected)
                  if rejected else None, figures=figures or {},
                  reasons=reasons or {})
    manifest.shards = sorted([s for s in manifest.shards if s.index != index] + [shard],
                             key=lambda s: s.index)
    write_text_atomic(directory / MANIFEST, manifest.model_dump_json(indent=1) + "\n")
    return shard


def save_set(directory: Path, name: str, accepted: Iterable[BaseModel | dict[str, Any]],
             rejected: Iterable[BaseModel | dict[str, Any]] = ()) -> dict[str, Path]:
    """Write `<name>.jsonl` (and `<name>.rejects.jsonl` if any); return the paths written.

    A sharded set of the same name is removed: a set has one layout at a time.
    """
    sharded = stage_dir(directory, name)
    if (sharded / MANIFEST).is_file():
        shutil.rmtree(sharded)
    paths = {"accepted": directory / f"{name}.jsonl"}
    write_lines_atomic(paths["accepted"], (_line(r) for r in accepted))
    rejects_path = directory / f"{name}{REJECTS}.jsonl"
    rejected = list(rejected)
    if rejected:
        write_lines_atomic(rejects_path, (_line(r) for r in rejected))
        paths["rejected"] = rejects_path
    else:
        rejects_path.unlink(missing_ok=True)
    return paths


# --- reading ---------------------------------------------------------------------------------

def load_set(path: Path) -> list[dict[str, Any]]:
    """Read one JSONL file back as dicts (a torn last line, from a crash, is skipped)."""
    return list(_iter_file(path))


def _iter_file(path: Path) -> Iterator[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").split("\n")  # not splitlines: U+2028 is data
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            if i == len(lines) - 1:
                break
            raise


def _split(name: str) -> tuple[str, bool]:
    name = name.removesuffix(".jsonl")
    return (name.removesuffix(REJECTS), True) if name.endswith(REJECTS) else (name, False)


def _parts(sets_dir: Path, name: str) -> list[tuple[Shard, Part | None]] | None:
    """The shards of set `name` with its part in each (None: no rejects there), in shard
    order; None when the set is not sharded."""
    stage, rejects = _split(name)
    manifest = read_manifest(sets_dir, stage)
    if manifest is None:
        return None
    return [(s, s.rejected if rejects else s.accepted) for s in manifest.shards]


def has_set(sets_dir: Path, name: str) -> bool:
    """Whether set `name` exists in either layout."""
    stage, rejects = _split(name)
    if (sets_dir / f"{stage}{REJECTS if rejects else ''}.jsonl").is_file():
        return True
    parts = _parts(sets_dir, name)
    return parts is not None and (not rejects or any(p for _, p in parts))


def set_location(sets_dir: Path, name: str) -> Path:
    """Where set `name` lives: its file, or its stage's shard directory."""
    stage, rejects = _split(name)
    single = sets_dir / f"{stage}{REJECTS if rejects else ''}.jsonl"
    return single if single.is_file() else stage_dir(sets_dir, stage)


def iter_set(sets_dir: Path, name: str) -> Iterator[dict[str, Any]]:
    """The records of set `name` in order, in either layout; each shard part is checked
    against its manifest (UserError naming a part that is missing or changed)."""
    stage, rejects = _split(name)
    single = sets_dir / f"{stage}{REJECTS if rejects else ''}.jsonl"
    parts = None if single.is_file() else _parts(sets_dir, name)
    if parts is None:
        if single.is_file():
            yield from _iter_file(single)
        return
    directory = stage_dir(sets_dir, stage)
    for _, part in parts:
        if part is not None:
            yield from read_part(directory, part)


def read_part(directory: Path, part: Part) -> list[dict[str, Any]]:
    """One shard part's records, after checking its hash and count against the manifest."""
    path = directory / part.path
    if not path.is_file():
        raise UserError(f"shard {path} is missing (shards are kept out of git: copy the run's "
                        "sets/ directory back from where it was stored)")
    text = path.read_text(encoding="utf-8")
    count = text.count("\n")
    if digest([text]) != part.sha256 or count != part.records:
        raise UserError(f"shard {path} does not match its manifest ({count} records, "
                        f"expected {part.records}; or its hash differs): it changed after the "
                        "run")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def read_set(sets_dir: Path, name: str) -> list[dict[str, Any]]:
    """The records of set `name`, in either layout (see `iter_set`)."""
    return list(iter_set(sets_dir, name))


def count_set(sets_dir: Path, name: str) -> int:
    """How many records set `name` holds (a sharded set's from its manifest)."""
    parts = None if (set_location(sets_dir, name).suffix == ".jsonl") else _parts(sets_dir, name)
    if parts is None:
        return sum(1 for _ in iter_set(sets_dir, name))
    return sum(p.records for _, p in parts if p is not None)


def on_disk(sets_dir: Path) -> set[str]:
    """Names of every set in the directory, in either layout."""
    names = {p.name.removesuffix(".jsonl") for p in sets_dir.glob("*.jsonl")}
    for manifest_path in sets_dir.glob(f"*/{MANIFEST}"):
        stage = manifest_path.parent.name
        names.add(stage)
        if has_set(sets_dir, f"{stage}{REJECTS}"):
            names.add(f"{stage}{REJECTS}")
    return names
