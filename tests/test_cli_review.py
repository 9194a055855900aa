"""The review commands as a user types them: runs, sets, traces; bad input is one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_run import add_run_copy, cli, copy_workspace, only_run, review_workspace

from retrolean.memory.errors import UserError
from retrolean.memory.runs import locate_run, resolve_run
from retrolean.memory.workspace import Workspace
from retrolean.tools.save_set import load_set
from retrolean.traces.writer import read_trace


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    return review_workspace(tmp_path_factory)


@pytest.fixture(autouse=True)
def wide(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli(*argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_runs_list_shows_id_goal_backend_date_yield_rating(ws, capsys):
    code, out, _ = run_cli(capsys, "runs", "list", "--workspace", str(ws))
    run = only_run(ws).name
    assert code == 0 and run in out and "make R1 easier to prompt" in out
    assert "template" in out and run[:4] in out and "/12 (" in out and "rating" in out
    assert run_cli(capsys, "runs", "--workspace", str(ws))[1] == out


def test_runs_show_gives_plan_stages_yields_and_sets(ws, capsys):
    code, out, _ = run_cli(capsys, "runs", "show", "latest", "--workspace", str(ws))
    assert code == 0 and "recipe make-r1-easier-to-prompt" in out and "seed = 4" in out
    for fragment in ("formalize", "conversations", "sets/formalize.rejects.jsonl",
                     "at least 25%", "score:"):
        assert fragment in out, fragment


def test_runs_are_named_by_id_prefix_fragment_or_latest(ws, tmp_path):
    own = copy_workspace(ws, tmp_path / "own")
    run = only_run(own)
    add_run_copy(own, run, "29990101-000000-other-beef")
    w = Workspace(own)
    assert resolve_run(w, run.name) == run.name
    assert resolve_run(w, run.name[:15]) == run.name
    assert resolve_run(w, "beef") == "29990101-000000-other-beef"
    assert resolve_run(w, "latest") == "29990101-000000-other-beef"
    with pytest.raises(UserError, match="ambiguous"):
        resolve_run(w, "-")


def test_a_run_directory_is_located_by_name_or_by_path(ws, tmp_path):
    own = copy_workspace(ws, tmp_path / "own")
    run = only_run(own)
    w = Workspace(own)
    assert locate_run(w, run.name[-4:]) == w.run_dir(run.name)
    assert locate_run(w, str(run)) == run.resolve()  # a path works even outside the workspace


def test_sets_show_lists_sets_then_records_then_one_record(ws, capsys):
    run = only_run(ws)
    code, out, _ = run_cli(capsys, "sets", "show", "latest", "--workspace", str(ws))
    assert code == 0 and "formalize.rejects" in out and "conversations" in out
    code, out, _ = run_cli(capsys, "sets", "show", "latest", "formalize.rejects",
                           "--workspace", str(ws))
    rejected = load_set(run / "sets" / "formalize.rejects.jsonl")
    assert code == 0 and rejected[0]["id"] in out and rejected[0]["reject"]["kind"] in out
    record = load_set(run / "sets" / "conversations.jsonl")[0]
    code, out, _ = run_cli(capsys, "sets", "show", "latest", "--id", record["id"][:12],
                           "--workspace", str(ws))
    assert code == 0 and "from set conversations" in out
    for fragment in ("formal (smtlib2)", "English", "round trip", "humanities_major",
                     "missing domain", f"fill-in: {record['fill_in']['domain']}",
                     "conversation: ", "check-sat", record["english"]["text"][:30]):
        assert fragment in out, fragment


def test_sets_show_finds_a_rejected_record_in_its_rejects(ws, capsys):
    rejected = load_set(only_run(ws) / "sets" / "formalize.rejects.jsonl")[0]
    code, out, _ = run_cli(capsys, "sets", "show", "latest", "--id", rejected["id"],
                           "--workspace", str(ws))
    assert code == 0 and "from set formalize.rejects" in out and "rejected at formalize" in out


def test_traces_show_filters_by_type_and_stage(ws, capsys):
    code, out, _ = run_cli(capsys, "traces", "show", "latest", "--type", "evaluation",
                           "--stage", "roundtrip", "--workspace", str(ws))
    _header, trace = read_trace(only_run(ws) / "trace.jsonl")
    wanted = [b for b in trace if b.type == "evaluation" and b.stage == "roundtrip"]
    assert wanted and len(wanted) < len(trace)
    assert code == 0 and f"{len(wanted)} of {len(trace)} blocks shown" in out
    assert "roundtrip" in out and "formalize" not in out


@pytest.mark.parametrize("argv, fragment", [
    (["runs", "show", "nosuchrun"], "unknown run 'nosuchrun'; `retrolean runs list`"),
    (["sets", "show", "latest", "nosuchset"], "unknown set 'nosuchset' in run"),
    (["sets", "show", "latest", "caption", "--id", "zz"], "no record 'zz' in set caption"),
    (["traces", "show", "latest", "--type", "thought"], "unknown block type 'thought'"),
    (["traces", "rate", "latest", "great"], "rating must be good or bad"),
    (["traces", "list", "--sort", "size"], "unknown sort 'size'"),
    (["export", "sft", "--out", "x.jsonl"], "--traces or --sets"),
    (["export", "sft", "--sets"], "--sets needs at least one RUN"),
    (["export", "sft", "--sets", "latest", "--format", "alpaca"], "--format must be"),
    (["export", "sft", "--traces", "--top", "0%"], "--top takes a share"),
    (["export", "dataset", "latest", "--out", "d", "--test-size", "1.5"], "--test-size"),
    (["export", "dataset", "latest", "--out", "d", "--dedup", "fuzzy"], "--dedup must be"),
])
def test_bad_input_is_one_line_and_exit_2(ws, capsys, argv, fragment):
    code, _, err = run_cli(capsys, *argv, "--workspace", str(ws))
    assert code == 2 and fragment in err, err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("setup, fragment", [
    ("missing", "no workspace at"),
    ("empty", "has no runs yet"),
])
def test_no_runs_to_review(tmp_path, capsys, setup, fragment):
    path = tmp_path / "ws"
    if setup == "empty":
        assert Workspace(path).repo.head.is_valid()  # initialised, with no runs
    for argv in (["runs", "list"], ["traces", "list"], ["traces", "show", "latest"],
                 ["export", "sft", "--traces"]):
        code, _, err = run_cli(capsys, *argv, "--workspace", str(path))
        assert code == 2 and fragment in err and err.count("\n") == 1, (argv, err)


def test_a_run_with_a_damaged_trace_still_lists(ws, tmp_path, capsys):
    own = copy_workspace(ws, tmp_path / "own")
    (only_run(own) / "trace.jsonl").write_text("")
    code, out, _ = run_cli(capsys, "runs", "list", "--workspace", str(own))
    assert code == 0 and "unreadable (see runs show)" in out
    code, out, _ = run_cli(capsys, "runs", "show", "latest", "--workspace", str(own))
    assert code == 0 and "is empty; the run stopped" in out.replace("\n", "")
    code, _, err = run_cli(capsys, "traces", "show", "latest", "--workspace", str(own))
    assert code == 2 and "is empty; the run stopped before writing its trace" in err
