"""smt_check: Z3's verdicts, witnesses, errors, and the limits a text cannot lift."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

import retrolean.tools.smt_check as smt_module
from retrolean.tools.smt_check import SCREEN_CHECKER, smt_check
from retrolean.tools.smt_check import pool as pool_module
from retrolean.tools.smt_check.budget import OUT_OF_STEPS, PAST_BACKSTOP
from retrolean.tools.smt_check.pool import WorkerFailure, Z3Pool, deadline_s

HARD = ("(declare-const x Int)(declare-const y Int)(declare-const z Int)"
        "(assert (> x 2))(assert (> y 2))(assert (> z 2))"
        "(assert (= (+ (* x x x) (* y y y)) (* z z z)))")  # no solution; Z3 cannot prove it


def fake_worker(after_ready: str) -> list[str]:
    """A worker command that says it is ready, reads one request, then runs `after_ready`."""
    hello = json.dumps({"ready": True, "z3": "fake"})
    return [sys.executable, "-c",
            f"import sys, time; print({hello!r}, flush=True); sys.stdin.readline(); {after_ready}"]


def test_sat_carries_a_witness_and_names_checker_and_screen():
    v = smt_check("(declare-const x Int)(assert (> x 2))(assert (< x 4))(check-sat)")
    assert v.ok and v.status == "sat" and v.witness == {"x": 3}
    assert v.checker.startswith("z3 ") and v.screen == SCREEN_CHECKER


def test_unsat_is_a_failure_with_reason():
    v = smt_check("(declare-const x Int)(assert (> x 2))(assert (< x 2))(check-sat)")
    assert not v.ok and v.status == "unsat" and "inconsistent" in v.reason


def test_parse_error_has_position():
    v = smt_check("(declare-const x Int)\n(assert (> x y))\n(check-sat)")
    assert not v.ok and v.status == "error"
    assert v.messages[0].line == 2 and "unknown constant y" in v.messages[0].text


def test_timeout_is_reported_as_such():
    v = smt_check(HARD + "(check-sat)", timeout_ms=100)
    assert not v.ok and v.status in ("timeout", "unknown")


def test_empty_and_assertion_free_text_are_errors():
    assert smt_check("").status == "error"
    assert smt_check("(declare-const x Int)(check-sat)").reason.startswith("no assertions")


def test_timing_is_not_serialized_into_records():
    dumped = smt_check("(declare-const x Int)(assert (> x 2))(check-sat)").model_dump()
    assert "elapsed_ms" not in dumped and dumped["screen"] == SCREEN_CHECKER


def test_a_refused_text_never_reaches_z3(monkeypatch):
    calls = []
    monkeypatch.setattr(Z3Pool, "check", lambda self, *a: calls.append(a))
    v = smt_check("(declare-const x Int)(assert (> x 2))(push 1)(assert false)(pop 1)(check-sat)")
    assert v.status == "refused" and v.checker == SCREEN_CHECKER and "`push`" in v.reason
    assert calls == []


@pytest.mark.parametrize("lift", ["(set-option :timeout 600000)", "(set-option :rlimit 0)",
                                  "(set-option :rlimit 4000000000)"])
def test_the_limits_hold_even_if_an_option_to_lift_them_reached_z3(lift):
    # The screen refuses these options; sent to a worker anyway, the budget still holds.
    assert smt_check(lift + HARD + "(check-sat)").status == "refused"
    start = time.monotonic()
    with Z3Pool(2048, size=1) as pool:
        answer, _ = pool.check(lift + HARD, 300)
    assert answer["status"] == "unknown" and answer["why"] in (OUT_OF_STEPS, PAST_BACKSTOP)
    assert time.monotonic() - start < deadline_s(300) + 5


def test_a_hard_query_is_out_of_steps_and_said_so():
    v = smt_check(HARD + "(check-sat)", timeout_ms=200)
    assert v.status == "timeout" and not v.ok
    assert "budget (2,000,000 steps, about 200 ms)" in v.reason


def test_a_worker_that_does_not_answer_is_stopped_at_the_deadline(monkeypatch):
    monkeypatch.setattr(pool_module, "GRACE_S", 0.2)
    with Z3Pool(2048, size=1, command=fake_worker("time.sleep(600)")) as pool:
        monkeypatch.setattr(smt_module, "pool_for", lambda memory_mb: pool)
        v = smt_check("(declare-const x Int)(assert (> x 2))(check-sat)", timeout_ms=100)
        assert v.status == "timeout" and not v.ok and "stopped" in v.reason
        assert pool.workers.alive == 0  # the hung worker is gone


def test_a_crashed_worker_is_an_error_and_is_replaced(monkeypatch):
    with Z3Pool(2048, size=1, command=fake_worker("sys.exit(3)")) as pool:
        monkeypatch.setattr(smt_module, "pool_for", lambda memory_mb: pool)
        v = smt_check("(declare-const x Int)(assert (> x 2))(check-sat)")
        assert v.status == "error" and "exit code 3" in v.reason
        with pytest.raises(WorkerFailure):
            pool.check("(assert true)", 1000)
        assert pool.workers.started == 2


BLOWUP = ("(declare-const a (_ BitVec 4096))(declare-const b (_ BitVec 4096))"
          "(assert (= (bvmul a b) (bvadd a #x" + "1" * 1024 + ")))(assert (distinct a b))")


def test_the_memory_limit_holds():
    v = smt_check(BLOWUP + "(check-sat)", timeout_ms=60_000, memory_mb=64)
    assert not v.ok and v.status == "error" and "memory" in v.reason


def test_the_memory_limit_holds_even_if_a_text_raised_z3s_own():
    raised = "(set-option :memory_max_size 100000)" + BLOWUP
    assert smt_check(raised + "(check-sat)").status == "refused"
    with Z3Pool(64, size=1) as pool:  # sent to a worker anyway, the worker's own limits hold
        answer, _ = pool.check(raised, 60_000)
    assert answer["status"] in ("unknown", "memory") and "memory" in json.dumps(answer)


def test_workers_run_in_their_own_scratch_directory(tmp_path):
    with Z3Pool(2048, size=1) as pool:
        pool.check("(declare-const x Int)(assert (> x 2))", 1000)
        [worker] = pool.workers.idle
        cwd = Path(os.readlink(f"/proc/{worker.proc.pid}/cwd"))
        assert cwd == worker.scratch and cwd != tmp_path
    assert not worker.scratch.exists()


def test_a_worker_cannot_write_files_even_if_a_text_reached_it_unscreened(tmp_path):
    target = tmp_path / "dotfile"
    target.write_text("keep me\n")
    attack = (f'(set-option :regular-output-channel "{target}")(echo "rm -rf ~")'
              f'(set-option :regular-output-channel "new.sh")(echo "owned")'
              f'(set-option :regular-output-channel "{tmp_path / "new.sh"}")(echo "owned")'
              "(declare-const x Int)(assert (> x 2))")
    with Z3Pool(2048, size=1) as pool:
        pool.check(attack, 2000)
        [worker] = pool.workers.idle
        written = [p for p in worker.scratch.iterdir() if p.stat().st_size]
        confined = worker.confined
    assert written == []
    if confined:  # Landlock: no file is even opened
        assert target.read_text() == "keep me\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["dotfile"]
    else:  # a file-size limit of 0: nothing is written, though a file may be created or emptied
        assert all(p.read_text() in ("", "keep me\n") for p in tmp_path.iterdir())


HIDDEN = ["exit_before_contradiction", "quoted_exit", "push_pop_contradiction",
          "reset_after_contradiction", "reset_assertions", "nul_hides_contradiction"]


@pytest.mark.parametrize("name", HIDDEN)
def test_hidden_contradictions_fool_bare_z3_but_not_smt_check(name):
    text = (Path(__file__).parent / "data" / "smt_bad" / f"{name}.smt2").read_bytes().decode()
    with Z3Pool(2048, size=1) as pool:
        bare, _ = pool.check(text, 2000)  # what Z3 says when the screen is skipped
    assert bare["status"] == "sat"
    assert smt_check(text).status == "refused"


def test_every_smtlib_path_goes_through_the_screen(monkeypatch):
    from retrolean.evals.model_bench import make_check
    from retrolean.recipes.backends.template import TemplateBackend
    from retrolean.tools.checkers import formal_checker
    from retrolean.tools.lean_check import LeanConfig

    calls = []
    monkeypatch.setattr(Z3Pool, "check", lambda self, *a: calls.append(a))
    hostile = "(declare-const x Int)(assert (> x 2))(check-sat)(exit)(assert false)"
    assert formal_checker(5000, LeanConfig())(hostile, "smtlib2").status == "refused"
    assert make_check("smtlib2", 5000, LeanConfig())(hostile).status == "refused"
    assert TemplateBackend({})._solve(hostile) is None
    assert calls == []


def test_a_worker_that_cannot_start_gives_an_error_verdict(monkeypatch):
    broken = [sys.executable, "-c", "import sys; sys.exit('no z3 here')"]
    with Z3Pool(2048, size=1, command=broken) as pool:
        monkeypatch.setattr(smt_module, "pool_for", lambda memory_mb: pool)
        v = smt_check("(declare-const x Int)(assert (> x 2))(check-sat)")
    assert v.status == "error" and not v.ok and "could not start" in v.reason
    assert "no z3 here" in v.reason
