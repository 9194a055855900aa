"""Process handling of both Lean backends, proved with stand-in executables.

The stand-ins (tests/lean_standins.py) mimic `lean --json` and the REPL and
misbehave on request; nothing here needs a real Lean.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lean_standins import events, standin_config

from retrolean.tools.lean_check import WITNESS_POLICY, lean_check, process, shutdown_pools
from retrolean.tools.lean_check.repl_backend import ReplPool, split_header

OK_TEXT = "theorem t : True := trivial\n"
HEADED = "import Mathlib\n\ntheorem t : True := trivial\n"


def dead(pid: int) -> bool:
    """Gone, or a zombie nobody reaped yet."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.fixture(autouse=True)
def _no_shared_pools():
    yield
    shutdown_pools()


def test_cli_clean_text_checks_and_names_the_checker(tmp_path):
    verdict = lean_check(OK_TEXT, config=standin_config(tmp_path))
    assert verdict.ok and verdict.status == "ok"
    assert verdict.checker == "lean 4.99.0-standin (cli)"


def test_cli_errors_reject_with_position(tmp_path):
    verdict = lean_check("theorem t : True :=\n  broken\n", config=standin_config(tmp_path))
    assert not verdict.ok and verdict.reason == "line 2: unknown identifier 'broken'"
    assert verdict.messages[0].column == 2


def test_cli_runs_lean_json_on_a_scratch_file_that_is_removed(tmp_path):
    lean_check(OK_TEXT, config=standin_config(tmp_path))
    (start,) = events(tmp_path, "start")
    assert start["argv"][0] == "--json" and start["file"].endswith("Check.lean")
    assert Path(start["cwd"]).name.startswith("retrolean-lean-")
    assert not Path(start["cwd"]).exists()


def test_cli_timeout_kills_the_whole_process_group(tmp_path):
    config = standin_config(tmp_path, timeout_s=1)
    verdict = lean_check("theorem hang_forever : True := trivial\n", config=config)
    assert verdict.status == "timeout" and verdict.reason == "Lean did not finish within 1 s"
    (start,), (child,) = events(tmp_path, "start"), events(tmp_path, "child")
    assert dead(start["pid"]) and dead(child["pid"])
    assert not Path(start["cwd"]).exists()


def test_cli_memory_limit_holds(tmp_path):
    config = standin_config(tmp_path, memory_mb=256)
    verdict = lean_check("theorem grab_memory : True := trivial\n", config=config)
    assert not verdict.ok and verdict.reason == "Lean ran out of memory (limit 256 MB)"
    assert events(tmp_path, "start")[0]["data_limit"] == 256 * 1024 * 1024


def test_cli_crash_is_rejected(tmp_path):
    verdict = lean_check("theorem crash_now : True := trivial\n", config=standin_config(tmp_path))
    assert not verdict.ok and "exit code" in verdict.reason


def test_cli_project_runs_through_lake_env(tmp_path):
    lake = tmp_path / "lake"
    lake.write_text("#!/bin/sh\nshift\nexec \"$@\"\n")
    lake.chmod(0o755)
    project = tmp_path / "proj"
    project.mkdir()
    config = standin_config(tmp_path, lake=str(lake), project=project)
    assert lean_check(OK_TEXT, config=config).ok
    assert events(tmp_path, "start")[0]["cwd"] == str(project)


def test_missing_lean_is_an_error_verdict(tmp_path):
    config = standin_config(tmp_path, executable="no-such-lean-here")
    verdict = lean_check(OK_TEXT, config=config)
    assert not verdict.ok and "not on PATH" in verdict.reason


@pytest.mark.parametrize("backend", ["cli", "repl"])
def test_refused_text_starts_no_process(tmp_path, monkeypatch, backend):
    def forbidden(*args, **kwargs):
        raise AssertionError("a process was started for refused text")

    monkeypatch.setattr(process.subprocess, "Popen", forbidden)
    verdict = lean_check("#eval IO.println 1\n", config=standin_config(tmp_path, backend=backend))
    assert verdict.status == "refused" and verdict.checker.startswith("lean-screen")
    assert events(tmp_path) == []


def test_missing_witness_starts_no_process(tmp_path):
    verdict = lean_check(OK_TEXT, config=standin_config(tmp_path), policy=WITNESS_POLICY)
    assert not verdict.ok and "problem_consistent" in verdict.reason
    assert events(tmp_path) == []


def test_network_is_removed_where_the_system_lets_us(tmp_path):
    lean_check(OK_TEXT, config=standin_config(tmp_path, isolate_network=True))
    interfaces = events(tmp_path, "start")[0]["interfaces"]
    if process.network_prefix():
        assert interfaces == ["lo"]
    else:
        assert interfaces == sorted(os.listdir("/sys/class/net"))


def test_split_header_keeps_line_numbers():
    imports, body, offset = split_header("import Mathlib -- all of it\nimport Std\n\ntheorem t")
    assert imports == ("Mathlib", "Std") and body == "theorem t" and offset == 3
    assert split_header("theorem t : True := trivial") == ((), "theorem t : True := trivial", 0)


def repl(tmp_path: Path, **overrides: object) -> ReplPool:
    values: dict[str, object] = {"backend": "repl", "pool_size": 1, "timeout_s": 1}
    values.update(overrides)
    return ReplPool(standin_config(tmp_path, **values))


def test_repl_elaborates_the_header_once_per_worker(tmp_path):
    with repl(tmp_path) as pool:
        runs = [pool.check(HEADED) for _ in range(3)]
        broken = pool.check("import Mathlib\n\ntheorem t : True :=\n  broken\n")
    assert all(r.returncode == 0 and not r.messages for r in runs)
    assert len(events(tmp_path, "header")) == 1 and pool.started == 1
    assert (broken.messages[0].line, broken.messages[0].column) == (4, 2)


def test_repl_header_errors_are_reported(tmp_path):
    with repl(tmp_path) as pool:
        run = pool.check("import Missing\ntheorem t : True := trivial\n")
    assert run.messages[0].severity == "error" and "Missing" in run.messages[0].text


def test_repl_hung_worker_is_killed_and_replaced(tmp_path):
    with repl(tmp_path) as pool:
        hung = pool.check("import Mathlib\ntheorem hang_forever : True := trivial\n")
        after = pool.check(HEADED)
    assert hung.timed_out and after.returncode == 0 and pool.started == 2
    first, child = events(tmp_path, "start")[0], events(tmp_path, "child")[0]
    assert dead(first["pid"]) and dead(child["pid"])
    assert not Path(first["cwd"]).exists()


def test_repl_crashed_worker_is_replaced(tmp_path):
    with repl(tmp_path) as pool:
        crashed = pool.check("theorem crash_now : True := trivial\n")
        after = pool.check(OK_TEXT)
    assert crashed.crashed and after.returncode == 0 and pool.started == 2


def test_repl_memory_limit_holds_and_the_pool_keeps_serving(tmp_path):
    with repl(tmp_path, memory_mb=256) as pool:
        greedy = pool.check("theorem grab_memory : True := trivial\n")
        after = pool.check(OK_TEXT)
    assert greedy.out_of_memory and after.returncode == 0 and pool.started == 2
    assert events(tmp_path, "start")[0]["data_limit"] == 256 * 1024 * 1024


def test_repl_worker_grown_past_its_size_is_retired(tmp_path):
    with repl(tmp_path, repl_rss_limit_mb=100) as pool:
        grown = pool.check("theorem keep_memory : True := trivial\n")
        after = pool.check(OK_TEXT)
    assert grown.returncode == 0 and after.returncode == 0 and pool.started == 2


def test_repl_worker_is_retired_after_its_check_budget(tmp_path):
    with repl(tmp_path, repl_max_checks=2) as pool:
        for _ in range(5):
            pool.check(OK_TEXT)
    assert pool.started == 3


def test_repl_pool_serves_threads_with_at_most_pool_size_workers(tmp_path):
    with repl(tmp_path, pool_size=2, timeout_s=20) as pool, ThreadPoolExecutor(6) as ex:
        runs = list(ex.map(lambda i: pool.check(HEADED.replace("t :", f"t{i} :")), range(24)))
    assert all(r.returncode == 0 for r in runs)
    assert pool.started <= 2 and len(events(tmp_path, "start")) <= 2


def test_repl_close_kills_workers_and_removes_their_scratch(tmp_path):
    with repl(tmp_path) as pool:
        pool.check(OK_TEXT)
    (start,) = events(tmp_path, "start")
    assert dead(start["pid"]) and not Path(start["cwd"]).exists()


def test_repl_that_cannot_start_is_an_error_verdict(tmp_path):
    config = standin_config(tmp_path, backend="repl", repl_command=["no-such-repl"])
    verdict = lean_check(OK_TEXT, config=config)
    assert not verdict.ok and "could not start" in verdict.reason


def test_lean_check_through_the_repl_backend(tmp_path):
    config = standin_config(tmp_path, backend="repl")
    witness = "lemma a : True := sorry\ntheorem problem_consistent : True := trivial\n"
    verdict = lean_check(witness, config=config, policy=WITNESS_POLICY)
    assert verdict.ok and verdict.sorry and verdict.checker == "lean 4.99.0-standin (repl)"
    bad = lean_check(witness.replace("trivial", "sorry"), config=config, policy=WITNESS_POLICY)
    assert not bad.ok and "problem_consistent" in bad.reason
