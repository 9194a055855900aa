"""Files retrolean writes get the permissions any other tool would give them: 0666 less the
umask (sets, report.md, plan.json, HTML, dataset exports), and a replaced file keeps its mode."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from retrolean.memory.atomic import write_text_atomic

ROOT = Path(__file__).resolve().parents[1]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_an_atomic_write_respects_the_umask_and_keeps_a_replaced_files_mode(tmp_path, umask):
    old = os.umask(umask)
    try:
        path = tmp_path / "report.md"
        write_text_atomic(path, "one")
        assert mode(path) == 0o666 & ~umask
        path.chmod(0o640)
        write_text_atomic(path, "two")
        assert path.read_text() == "two" and mode(path) == 0o640
        assert [p.name for p in tmp_path.iterdir()] == ["report.md"]  # no temporary left
    finally:
        os.umask(old)


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_runs_reports_html_and_exports_follow_the_umask(tmp_path, umask):
    ws, env = tmp_path / "ws", {**os.environ, "HF_HUB_OFFLINE": "1"}

    def retrolean(*argv: str) -> None:
        proc = subprocess.run([sys.executable, "-m", "retrolean", *argv, "--workspace", str(ws)],
                              cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300, preexec_fn=lambda: os.umask(umask))
        assert proc.returncode in (0, 3), proc.stderr[-1500:]

    retrolean("run", "g", "--n", "4", "--formal", "smtlib2", "--budget-seconds", "0.001")
    retrolean("traces", "html", "latest", "--out", str(tmp_path / "trace.html"))
    retrolean("export", "dataset", "latest", "--set", "formalize", "--out", str(tmp_path / "ds"))
    (run,) = (ws / "runs").iterdir()
    ours = [p for p in [*run.rglob("*"), tmp_path / "trace.html", *(tmp_path / "ds").rglob("*"),
                        ws / "lessons.md"] if p.is_file()]
    names = {p.name for p in ours}
    assert {"plan.json", "report.md", "trace.jsonl", "formalize.jsonl", "trace.html",
            "README.md", "lessons.md"} <= names and any(n.endswith(".parquet") for n in names)
    wrong = {str(p.relative_to(tmp_path)): oct(mode(p)) for p in ours
             if mode(p) != 0o666 & ~umask}
    assert not wrong, f"umask {oct(umask)}: {wrong}"
