"""How a run ends, as a user sees it: exit codes, the last line, resume after a stop, the
report's reject reasons, the summary table at 80 columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from retrolean.agent.cli import main
from retrolean.agent.cli.run import summary_table
from retrolean.agent.report import render_report
from retrolean.agent.runner import resumable
from retrolean.tools.save_set import load_set
from retrolean.traces.block_data import StageYield
from retrolean.traces.writer import read_trace


def cli(*argv: str) -> int:
    with pytest.raises(SystemExit) as e:
        main(list(argv))
    return int(e.value.code or 0)


def only_run(workspace: Path) -> Path:
    (run,) = (workspace / "runs").iterdir()
    return run


def blocks(run: Path, type_: str) -> list:
    _, found = read_trace(run / "trace.jsonl")
    return [b for b in found if b.type == type_]


def test_a_stage_that_keeps_nothing_is_retried_by_a_fresh_draw_then_exits_3(tmp_path, capsys,
                                                                           monkeypatch):
    """Nothing passes the missing-domain stage (every version it kept is rejected after it
    ran): the retry changes what the template honours for that stage — which domain is
    dropped — and the run then stops with no final records: exit 3, a last line that says
    why, and a resume that says it cannot."""
    from dataclasses import replace

    from retrolean.recipes import stages as registry

    real = registry.STAGES["missing"]

    def nothing_passes(records, ctx):
        result = real.run(records, ctx)
        for record in result.accepted:
            result.reject(record, "missing", "missing-domain version still too close to the "
                          f"full problem (similarity {record.missing.roundtrip.similarity:.3f}"
                          " >= -1.0)", kind="missing-domain version too close to the full "
                          "problem")
        result.accepted = []
        return result

    monkeypatch.setitem(registry.STAGES, "missing", replace(real, run=nothing_passes))
    ws = tmp_path / "ws"
    assert cli("run", "g", "--n", "6", "--seed", "4", "--formal", "smtlib2",
               "--workspace", str(ws)) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "missing: yield 0%" in err and "retrying from missing with a fresh draw" in err
    assert "run stopped with no final records: stage missing kept 0 of" in err
    run = only_run(ws)
    (retry,) = [b for b in blocks(run, "evaluation") if b.data.decision
                and b.data.decision.action == "retry" and b.stage == "missing"]
    assert retry.data.decision.changes == {}
    assert "temperature_scale" not in retry.body  # the template ignores temperatures
    report = (run / "report.md").read_text()
    assert "- missing, " in report and "× missing-domain version too close to the full " \
        "problem: missing-domain version still too close to the full problem (similarity " in \
        report and ">= -1.0)" in report
    assert cli("run", "--resume", "latest", "--workspace", str(ws)) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "cannot be resumed: stage missing kept 0 of" in err and "--n" in err


def test_a_budget_stop_says_how_to_go_on_and_resume_goes_on_from_the_next_stage(tmp_path,
                                                                                   capsys):
    ws = tmp_path / "ws"
    assert cli("run", "g", "--n", "5", "--seed", "2", "--formal", "smtlib2",
               "--budget-seconds", "0.001", "--workspace", str(ws)) == 3
    run = only_run(ws)
    last = " ".join(capsys.readouterr().err.split())
    assert "run stopped after formalize (time budget of 0.001 s used" in last
    assert f"go on from presence with retrolean run --resume {run.name[-4:]} (raise the " \
           "budget" in last
    assert cli("run", "--resume", run.name[-4:], "--budget-seconds", "0.001",
               "--workspace", str(ws)) == 3
    starts = [b.data.stage.name for b in blocks(run, "orientation") if b.data.stage]
    assert starts == ["formalize", "presence"]  # went on; formalize was not redone
    reminder = blocks(run, "task-reminder")[-1]
    assert "going on from presence" in reminder.body


def test_resume_names_a_run_as_the_review_commands_do(tmp_path, capsys):
    ws = tmp_path / "ws"
    assert cli("run", "g", "--n", "3", "--formal", "smtlib2", "--budget-seconds", "0.001",
               "--workspace", str(ws)) == 3
    capsys.readouterr()
    assert cli("run", "--resume", "no-such-run", "--workspace", str(ws)) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown run 'no-such-run'" in err and "\n" not in err


def test_resumable_says_what_each_ending_allows():
    plan = {"stages": [{"name": "formalize"}, {"name": "presence"}]}
    row = {"records_in": 4, "records_out": 2}
    stopped = {"status": "stopped", "plan": plan, "stage": 0, "rows": {"formalize": row},
               "decision": {"reason": "stopped by the user between stages"}}
    verdict = resumable(stopped)
    assert verdict.ok and verdict.stage == 1 and verdict.next == "presence"
    empty = {**stopped, "rows": {"formalize": {**row, "records_out": 0}}}
    assert not resumable(empty).ok and "kept 0 of 4" in resumable(empty).why
    assert not resumable({"status": "rejected"}).ok
    assert resumable({"status": "running", "plan": plan}).ok  # killed mid-step


def test_a_run_with_final_records_exits_0_and_its_last_evaluation_says_finish(tmp_path,
                                                                              capsys):
    ws = tmp_path / "ws"
    assert cli("run", "g", "--n", "4", "--seed", "5", "--formal", "smtlib2",
               "--workspace", str(ws)) == 0
    run = only_run(ws)
    assert "run finished: " in capsys.readouterr().err
    last = [b for b in blocks(run, "evaluation") if b.data.decision][-1]
    assert last.stage == "conversations" and last.body.endswith("Decision: finish.")
    assert "all stages done" in last.body
    assert load_set(run / "sets" / "conversations.jsonl")


def test_report_prints_reasons_with_their_figures_by_kind():
    rows = [StageYield(stage="missing", records_in=30, records_out=10, rejected=20,
                       reasons={"missing-domain version too close to the full problem": 20},
                       examples={"missing-domain version too close to the full problem":
                                 "missing-domain version still too close to the full problem "
                                 "(similarity 0.951–0.990 >= 0.95)"})]

    class Ctx:
        backend = type("B", (), {"name": "template", "model": None})()
        language = "smtlib2"
        embedder = type("E", (), {"model_name": "all-MiniLM-L6-v2"})()

    from retrolean.recipes.recipe import Recipe

    recipe = Recipe.model_validate({"name": "r", "goal": "g", "stages": [{"name": "missing"}]})
    text = render_report("g", recipe, Ctx(), rows, 1.0)  # type: ignore[arg-type]
    assert "- missing, 20 × missing-domain version too close to the full problem: " \
           "missing-domain version still too close to the full problem (similarity " \
           "0.951–0.990 >= 0.95)" in text
    assert "(# >= #)" not in text


def test_the_summary_table_shows_whole_file_names_at_80_columns(tmp_path):
    stages = ["formalize", "presence", "caption", "roundtrip", "personas", "missing", "fill_in",
              "conversations"]
    rows = {s: {"stage": s, "records_in": 1000, "records_out": 900, "rejected": 100,
                "set_path": f"sets/{s}.jsonl", "rejects_path": f"sets/{s}.rejects.jsonl"}
            for s in stages}
    state = {"status": "finished", "plan": {"stages": [{"name": s} for s in stages]},
             "rows": rows, "attempts": {"formalize": 2}}

    class Session:
        run_id = "20261130-104848-make-r1-easier-to-prompt-e92c"

        class runtime:  # noqa: N801 - shaped like Session.runtime
            run_dir = tmp_path / "runs" / "20261130-104848-make-r1-easier-to-prompt-e92c"

            class prepared:  # noqa: N801
                class ctx:  # noqa: N801
                    backend = type("B", (), {"name": "template"})()
                    language = "smtlib2"

    console = Console(width=80, record=True)
    console.print(summary_table(Session(), state))  # type: ignore[arg-type]
    text = console.export_text()
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 80
    for s in stages:
        assert f" {s}.jsonl " in text and f" {s}.rejects.jsonl " in text, s


def test_a_crash_mid_run_says_how_to_go_on_and_the_run_goes_on(tmp_path, capsys, monkeypatch):
    from dataclasses import replace

    from retrolean.recipes import stages as registry

    real = registry.STAGES["presence"]

    def crash(records, ctx):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(registry.STAGES, "presence", replace(real, run=crash))
    ws = tmp_path / "ws"
    with pytest.raises(RuntimeError):
        main(["run", "g", "--n", "6", "--seed", "4", "--formal", "smtlib2", "--workspace", str(ws)])
    run = only_run(ws)
    err = " ".join(capsys.readouterr().err.split())
    assert f"run {run.name} stopped by an error (RuntimeError)" in err
    assert f"go on with retrolean run --resume {run.name[-4:]}" in err
    monkeypatch.setitem(registry.STAGES, "presence", real)
    assert cli("run", "--resume", run.name[-4:], "--budget-seconds", "0.001",
               "--workspace", str(ws)) == 3  # the budget stops it after the redone stage
    starts = [b.data.stage.name for b in blocks(run, "orientation") if b.data.stage]
    assert starts == ["formalize", "presence", "presence"]
    assert (run / "sets" / "presence.jsonl").exists()
