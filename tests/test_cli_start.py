"""A command loads what it needs: `--help` and `check` start without LangGraph or the pipeline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("langgraph", "langchain_core", "retrolean.agent.pipeline", "retrolean.agent.runner",
         "retrolean.recipes.stages", "sentence_transformers", "torch")


def run_fresh(argv: list[str], cwd: Path) -> tuple[int, list[str]]:
    """Run the CLI in a fresh interpreter: its exit code and every module it imported."""
    code = ("import json, sys\nfrom retrolean.agent.cli import main\ntry:\n"
            f"    main({argv!r})\nexcept SystemExit as e:\n    rc = e.code\n"
            "print(json.dumps([rc, sorted(sys.modules)]), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    rc, modules = json.loads(done.stderr.strip().splitlines()[-1])
    return rc, modules


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "p.smt2").write_text("(declare-const x Int)(assert (> x 2))(check-sat)\n")
    (tmp_path / "bad.smt2").write_text('(echo "x")(check-sat)\n')
    return tmp_path


@pytest.mark.parametrize(("argv", "code"), [(["--help"], 0), (["check", "p.smt2"], 0),
                                            (["check", "bad.smt2"], 1)])
def test_help_and_check_import_no_heavy_module(argv, code, files):
    rc, modules = run_fresh(argv, files)
    assert rc == code
    assert [m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY] == []


def test_check_imports_only_the_check_command(files):
    _, modules = run_fresh(["check", "p.smt2"], files)
    assert [m for m in modules if m.startswith("retrolean.agent.cli.")] == [
        "retrolean.agent.cli.check"]
