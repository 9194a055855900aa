"""A small finished run for the review and export tests, made once per test session.

The run is made through the CLI as a user makes it; tests that change a
workspace (ratings, extra runs, damaged traces) work on a copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from retrolean.agent.cli import main

_BUILT: dict[str, Path] = {}


def cli(*argv: str) -> int:
    """Run the CLI and return its exit code."""
    with pytest.raises(SystemExit) as e:
        main(list(argv))
    return int(e.value.code or 0)


def review_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding one finished run (n 12, seed 4), built once per session."""
    if "ws" not in _BUILT:
        ws = tmp_path_factory.mktemp("review") / "ws"
        code = cli("run", "make R1 easier to prompt", "--n", "12", "--seed", "4",
                   "--formal", "smtlib2", "--workspace", str(ws))
        assert code == 0
        _BUILT["ws"] = ws
    return _BUILT["ws"]


def copy_workspace(src: Path, dst: Path) -> Path:
    """A private copy of a workspace (git history included)."""
    shutil.copytree(src, dst)
    return dst


def only_run(ws: Path) -> Path:
    """The directory of the workspace's single run."""
    (run,) = (ws / "runs").iterdir()
    return run


def add_run_copy(ws: Path, run: Path, new_id: str, extra_blocks: tuple[dict, ...] = ()) -> Path:
    """Copy a run under a new id, optionally appending blocks to its trace."""
    dst = ws / "runs" / new_id
    shutil.copytree(run, dst)
    (dst / "rating.json").unlink(missing_ok=True)
    if extra_blocks:
        with (dst / "trace.jsonl").open("a", encoding="utf-8") as f:
            for block in extra_blocks:
                f.write(json.dumps(block) + "\n")
    return dst
