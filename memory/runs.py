"""Finding runs and their files in a workspace, by the names people type.

A run is named by its full id, a unique prefix or fragment of it (the random
suffix is enough), or `latest`. Sets are named by their stage (`caption`) or
with `.rejects` for the rejected records. Everything here only reads; every
miss is a one-line `UserError` that says what exists. The trade-off: a
fragment that matches several runs is refused rather than guessed.

Example: resolve_run(ws, "31c2") -> "20261125-033719-make-r1-easier-to-prompt-31c2";
         locate_run(ws, "31c2") -> Path("workspace/runs/20261125-…-31c2")
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from retrolean.memory.errors import UserError
from retrolean.memory.workspace import Workspace

LATEST = ("latest", "last")


def open_workspace(root: Path) -> Workspace:
    """An existing workspace holding at least one run; UserError otherwise."""
    ws = Workspace(root)
    if not ws.root.exists():
        raise UserError(f"no workspace at {ws.root}; run `retrolean run GOAL` first or pass "
                        "--workspace")
    if not ws.runs():
        raise UserError(f"workspace {ws.root} has no runs yet; `retrolean run GOAL` makes one")
    return ws


def resolve_run(ws: Workspace, ref: str) -> str:
    """The full id of the run named by `ref` (id, unique prefix or fragment, or `latest`)."""
    runs = ws.runs()
    if not runs:
        raise UserError(f"workspace {ws.root} has no runs yet; `retrolean run GOAL` makes one")
    ref = ref.strip()
    if ref.lower() in LATEST:
        return runs[-1]
    if ref in runs:
        return ref
    for matches in ([r for r in runs if r.startswith(ref)], [r for r in runs if ref in r]):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            shown = ", ".join(matches[:3]) + (" …" if len(matches) > 3 else "")
            raise UserError(f"run {ref!r} is ambiguous ({len(matches)} runs match: {shown}); "
                            "give more of the id")
    raise UserError(f"unknown run {ref!r}; `retrolean runs list` shows the {len(runs)} runs "
                    f"in {ws.root}")


def short_ref(ws: Workspace, run_id: str) -> str:
    """The shortest way to name a run that `resolve_run` reads back: its last four
    characters where no other run ends that way, else the full id.

    Example: short_ref(ws, "20261125-033719-make-r1-easier-to-prompt-31c2") -> "31c2"
    """
    tail = run_id[-4:]
    return tail if [r for r in ws.runs() if tail in r] == [run_id] else run_id


def locate_run(ws: Workspace, ref: str) -> Path:
    """The directory of the run named by `ref` (as `resolve_run` reads it), or by a path to a
    run directory (one holding plan.json), which may lie outside the workspace."""
    as_path = Path(ref).expanduser()
    if (as_path / "plan.json").is_file():
        return as_path.resolve()
    return ws.run_dir(resolve_run(ws, ref))


def read_plan(run_dir: Path) -> dict[str, Any]:
    """The run's `plan.json` as a dict (empty when the run died before writing it)."""
    path = run_dir / "plan.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise UserError(f"{path} is not valid JSON (line {e.lineno}); the run is damaged") from e
    return data if isinstance(data, dict) else {}


def set_names(run_dir: Path) -> list[str]:
    """The run's sets in stage order (plan order, then any others), rejects after their set."""
    on_disk = {p.name.removesuffix(".jsonl") for p in (run_dir / "sets").glob("*.jsonl")}
    order = [s.get("name") for s in read_plan(run_dir).get("stages", []) if isinstance(s, dict)]
    names: list[str] = []
    for stage in [*order, *sorted(n.removesuffix(".rejects") for n in on_disk)]:
        for name in (stage, f"{stage}.rejects"):
            if name in on_disk and name not in names:
                names.append(name)
    return names


def set_path(run_dir: Path, name: str) -> Path:
    """The file of set `name` (`caption`, `caption.rejects`); UserError naming the sets there."""
    name = name.removesuffix(".jsonl")
    path = run_dir / "sets" / f"{name}.jsonl"
    if path.is_file():
        return path
    known = set_names(run_dir)
    if not known:
        raise UserError(f"run {run_dir.name} has no sets yet (it stopped before its first stage)")
    raise UserError(f"unknown set {name!r} in run {run_dir.name}; sets: {', '.join(known)}")
