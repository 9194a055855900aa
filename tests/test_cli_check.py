"""`retrolean check FILE`: exit 0 when it checks, 1 when refused or rejected, 2 on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from lean_standins import events, standin_config

from retrolean.agent.cli import main
from retrolean.tools.smt_check.pool import Z3Pool

SAT = "(declare-const x Int)\n(assert (> x 2))\n(assert (< x 4))\n(check-sat)\n"
UNSAT = "(declare-const x Int)\n(assert (> x 2))\n(assert (< x 1))\n(check-sat)\n"
DATA = Path(__file__).parent / "data"
BAD_LEAN = DATA / "lean_bad" / "io_read_file.lean"
BAD_SMT = sorted((DATA / "smt_bad").glob("*.smt2"))
GOOD_SMT = sorted((DATA / "smt_good").glob("*.smt2"))
ATTACK_DIR = Path("/tmp/retrolean-smt-attack")  # where the corpus's absolute paths point


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.fixture(autouse=True)
def _no_lean_settings(monkeypatch):
    monkeypatch.delenv("RETROLEAN_LEAN", raising=False)
    monkeypatch.delenv("RETROLEAN_LEAN_PROJECT", raising=False)


def test_satisfiable_smtlib_checks(tmp_path, capsys):
    path = tmp_path / "p.smt2"
    path.write_text(SAT)
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 0
    assert "sat" in out and "x = 3" in out


def test_unsatisfiable_smtlib_is_rejected_with_the_reason(tmp_path, capsys):
    path = tmp_path / "p.smt2"
    path.write_text(UNSAT)
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 1
    assert "unsat" in out and "inconsistent" in out


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else b"<dir>"
            for p in root.rglob("*")}


@pytest.mark.parametrize("path", BAD_SMT, ids=lambda p: p.stem)
def test_hostile_smtlib_is_refused_before_z3_and_writes_nothing(path, tmp_path, capsys,
                                                                monkeypatch):
    calls = []
    monkeypatch.setattr(Z3Pool, "check", lambda self, *a: calls.append(a))
    cwd = Path.cwd()  # the test's own temporary directory (conftest changes into it)
    (cwd / "problem.txt").write_bytes(path.read_bytes())
    before = _tree(cwd)
    code, out, err = run(["check", "problem.txt", "--formal", "smtlib2"], capsys)
    assert code == 1 and calls == [] and err == ""
    reasons = [line for line in out.splitlines() if line.startswith("reason: ")]
    assert "refused (smt-screen" in out and len(reasons) == 1 and "sat (" not in out
    assert _tree(cwd) == before and not ATTACK_DIR.exists()


@pytest.mark.parametrize("path", GOOD_SMT, ids=lambda p: p.stem)
def test_benign_smtlib_is_still_checked(path, capsys):
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 0 and "sat (z3 " in out and "screened by smt-screen" in out


def test_formal_flag_overrides_the_extension(tmp_path, capsys):
    path = tmp_path / "problem.txt"
    path.write_text(SAT)
    code, out, _ = run(["check", str(path), "--formal", "smtlib2"], capsys)
    assert code == 0 and "(smtlib2)" in out


def test_screen_refuses_a_lean_file_even_without_lean(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RETROLEAN_LEAN", "no-such-lean-anywhere")
    code, out, _ = run(["check", str(BAD_LEAN)], capsys)
    assert code == 1
    assert "refused" in out and "`IO` is input/output" in out


def test_lean_file_checks_with_the_configured_lean(tmp_path, capsys, monkeypatch):
    config = standin_config(tmp_path)
    monkeypatch.setenv("RETROLEAN_LEAN", config.executable)
    path = tmp_path / "ok.lean"
    path.write_text("theorem t : True := trivial\n")
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 0 and "lean 4.99.0-standin (cli)" in out
    assert len(events(tmp_path, "start")) == 1


def test_lean_errors_are_shown_with_positions(tmp_path, capsys, monkeypatch):
    config = standin_config(tmp_path)
    monkeypatch.setenv("RETROLEAN_LEAN", config.executable)
    path = tmp_path / "bad.lean"
    path.write_text("theorem t : True :=\n  broken\n")
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 1
    assert "line 2: unknown identifier 'broken'" in out and "2:2" in out


def test_missing_lean_is_bad_input(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RETROLEAN_LEAN", "no-such-lean-anywhere")
    path = tmp_path / "ok.lean"
    path.write_text("theorem t : True := trivial\n")
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2 and "Lean is not available" in err


def test_missing_file_is_bad_input(tmp_path, capsys):
    code, _, err = run(["check", str(tmp_path / "nope.lean")], capsys)
    assert code == 2 and "no such file" in err


def test_unknown_extension_is_bad_input(tmp_path, capsys):
    path = tmp_path / "p.txt"
    path.write_text(SAT)
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2 and "--formal" in err


def test_unknown_language_is_bad_input(tmp_path, capsys):
    path = tmp_path / "p.smt2"
    path.write_text(SAT)
    code, _, err = run(["check", str(path), "--formal", "coq"], capsys)
    assert code == 2 and "unknown formal language" in err
