"""The agent graph: plans, retries, budgets, chat review and steering, resume after kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from retrolean.agent.cli import main
from retrolean.agent.graph.decide import Budget, Spent, decide
from retrolean.agent.graph.edits import parse_edits
from retrolean.agent.graph.levers import BackendTraits
from retrolean.agent.graph.planner import ModelPlanner
from retrolean.agent.pipeline import RunOptions
from retrolean.agent.runner import drive, start
from retrolean.agent.settings import Settings
from retrolean.memory.languages import FormalLanguage
from retrolean.recipes.backends.model import ModelBackend
from retrolean.recipes.backends.template import TemplateBackend
from retrolean.recipes.plans import PlanTarget
from retrolean.recipes.recipe import RECIPE_DIR, Parameters, StageSpec
from retrolean.tools.generate import ModelClient, ModelConfig
from retrolean.tools.generate.fake_server import FakeOpenAI, Reply
from retrolean.traces.writer import read_trace

PERSONAS = ["autodidact", "humanities_major", "lazy_busy", "stem_on_lsd"]
TEMPLATE = BackendTraits("template", TemplateBackend.honours)
MODEL = BackendTraits("model", ModelBackend.honours)


def blocks(run_dir: Path, type_: str | None = None):
    _, found = read_trace(run_dir / "trace.jsonl")
    return [b for b in found if type_ is None or b.type == type_]


# -- decisions -------------------------------------------------------------------------------
def test_meeting_the_expectation_continues():
    stage = StageSpec(name="formalize", skill="formalize", min_yield=0.4)
    d = decide(stage, 10, 5, 0, Parameters(), Budget(), Spent(), is_last=False, backend=TEMPLATE)
    assert d.action == "continue" and "meets" in d.reason


def test_after_the_last_stage_the_decision_is_finish():
    stage = StageSpec(name="conversations", skill="conversation", min_yield=0.9)
    d = decide(stage, 10, 10, 0, Parameters(), Budget(), Spent(), is_last=True, backend=TEMPLATE)
    assert d.action == "finish" and "all stages done" in d.reason


def test_falling_short_retries_from_the_right_stage_with_changes():
    stage = StageSpec(name="roundtrip", skill="reformalize", min_yield=0.7)
    args = (Parameters(), Budget(max_attempts=2), Spent())
    d = decide(stage, 10, 3, 0, *args, is_last=False, backend=TEMPLATE)
    assert d.action == "retry" and d.retry_from == "caption"
    assert d.changes == {"caption_concise_rate": 0.0}  # the template ignores temperatures
    assert "caption_concise_rate 0.08 → 0.0" in d.reason
    m = decide(stage, 10, 3, 0, *args, is_last=False, backend=MODEL)
    assert m.changes == {"temperature_scale": 0.7}  # a model ignores the concise rate


def test_a_retry_changes_only_what_the_backend_honours_and_skips_when_nothing_can_move():
    stage = StageSpec(name="caption", skill="caption", min_yield=0.95)
    floor = Parameters(temperature_scale=0.3)  # and a model's same request is cached
    d = decide(stage, 10, 5, 0, floor, Budget(max_attempts=2), Spent(), is_last=False,
               backend=MODEL)
    assert d.action == "continue" and "not retrying" in d.reason
    assert "temperature_scale is already 0.3" in d.reason
    personas = StageSpec(name="personas", skill="persona", min_yield=0.95)
    d = decide(personas, 10, 0, 0, Parameters(), Budget(max_attempts=2), Spent(),
               is_last=False, backend=TEMPLATE)
    assert d.action == "stop" and "not retrying" in d.reason  # nothing it reads can move
    missing = StageSpec(name="missing", skill="drop_domain", min_yield=0.6)
    d = decide(missing, 2, 0, 0, Parameters(), Budget(max_attempts=2), Spent(),
               is_last=False, backend=TEMPLATE)
    assert d.action == "retry" and d.changes == {} and "a fresh draw" in d.reason


def test_out_of_attempts_continues_with_what_passed_or_stops_when_nothing_did():
    stage = StageSpec(name="formalize", skill="formalize", min_yield=0.9)
    args = (Parameters(), Budget(max_attempts=2), Spent())
    kw = {"is_last": False, "backend": TEMPLATE}
    assert decide(stage, 10, 3, 1, *args, **kw).action == "continue"
    assert decide(stage, 10, 0, 1, *args, **kw).action == "stop"
    assert decide(stage, 10, 3, 1, *args, **kw, can_replan=True).action == "replan"


def test_budget_exhaustion_stops():
    stage = StageSpec(name="formalize", skill="formalize")
    d = decide(stage, 10, 9, 0, Parameters(), Budget(seconds=5), Spent(seconds=6), False,
               backend=TEMPLATE)
    assert d.action == "stop" and "time budget" in d.reason


def test_plain_word_edits():
    edits = parse_edits("fewer domains, more lazy-guy personas, n=12", Parameters(), PERSONAS)
    assert edits.changes == {"k": 2, "n": 12, "persona_weights": {"lazy_busy": 3.0}}
    assert not edits.not_understood
    assert parse_edits("make it spicier", Parameters(), PERSONAS).not_understood == [
        "make it spicier"]


# -- runs ------------------------------------------------------------------------------------
def _strict_recipe(tmp_path: Path) -> str:
    text = (RECIPE_DIR / "make-r1-easier-to-prompt.yaml").read_text()
    path = tmp_path / "strict.yaml"
    path.write_text(text.replace("    min_yield: 0.25\n", "    min_yield: 0.99\n", 1))
    return str(path)


def test_a_stage_below_expectation_is_retried_with_new_parameters(tmp_path):
    settings = Settings(workspace=tmp_path / "ws", recipe=_strict_recipe(tmp_path),
                        formal="smtlib2")
    session = start(settings, RunOptions(goal="g", n=10, seed=2))
    state = drive(session)
    session.close()
    assert state["status"] == "finished"
    assert state["attempts"]["formalize"] == 2
    assert state["overrides"]["guided_link_rate"] == pytest.approx(0.9)
    run = session.runtime.run_dir
    retry = [b for b in blocks(run, "evaluation")
             if b.data.decision and b.data.decision.action == "retry"]
    assert retry and retry[0].stage == "formalize" and "retrying" in retry[0].body
    starts = [b.data.stage for b in blocks(run, "orientation")
              if b.stage == "formalize" and b.data.stage]
    assert [s.attempt for s in starts] == [1, 2]
    assert starts[1].parameters["guided_link_rate"] == pytest.approx(0.9)


def test_budget_exhaustion_stops_cleanly_with_a_report(tmp_path):
    settings = Settings(workspace=tmp_path / "ws", formal="smtlib2", budget_seconds=0.001)
    session = start(settings, RunOptions(goal="g", n=6, seed=2))
    state = drive(session)
    session.close()
    run = session.runtime.run_dir
    assert state["status"] == "stopped" and list(state["rows"]) == ["formalize"]
    assert "| formalize |" in (run / "report.md").read_text()
    assert "stopped" in blocks(run, "outcome")[-1].body
    assert "time budget" in (session.runtime.workspace.root / "lessons.md").read_text() or True


def test_lessons_are_appended_and_read_by_the_next_plan(tmp_path):
    settings = Settings(workspace=tmp_path / "ws", formal="smtlib2")
    for seed in (1, 2):
        session = start(settings, RunOptions(goal="g", n=4, seed=seed))
        drive(session)
        session.close()
    lessons = (tmp_path / "ws" / "lessons.md").read_text()
    assert lessons.count("\n## ") == 2 and "formalize" in lessons
    first_plan = blocks(session.runtime.run_dir, "orientation")[0]
    assert first_plan.data.lessons and session.runtime.run_id not in first_plan.data.lessons


# -- chat ------------------------------------------------------------------------------------
def scripted(*answers: str):
    queue = list(answers)
    asked: list[dict] = []

    def answer(payload: dict) -> str:
        asked.append(payload)
        return queue.pop(0) if queue else ""

    return answer, asked


def test_chat_edit_then_approve_then_steer_and_stop(tmp_path):
    settings = Settings(workspace=tmp_path / "ws", formal="smtlib2")
    session = start(settings, RunOptions(goal="g", n=8, seed=4), interactive=True)
    answer, asked = scripted("n=5, fewer domains", "yes", "", "stop")
    state = drive(session, answer)
    session.close()
    assert [a["kind"] for a in asked] == ["plan", "plan", "between", "between"]
    assert asked[1]["parameters"]["n"] == 5 and asked[1]["parameters"]["k"] == 2
    assert state["status"] == "stopped" and list(state["rows"]) == ["formalize", "presence"]
    assert state["rows"]["formalize"]["records_in"] == 5
    users = [b.body for b in blocks(session.runtime.run_dir, "user")]
    assert users == ["n=5, fewer domains", "yes", "stop"]


def test_chat_reject_runs_nothing(tmp_path):
    settings = Settings(workspace=tmp_path / "ws", formal="smtlib2")
    session = start(settings, RunOptions(goal="g", n=4, seed=4), interactive=True)
    answer, _ = scripted("no")
    state = drive(session, answer)
    session.close()
    assert state["status"] == "rejected" and not state.get("rows")
    assert not list((session.runtime.run_dir / "sets").iterdir())


def test_chat_command_in_a_terminal_session(tmp_path):
    """`retrolean chat` reading answers from standard input, as a person would type them."""
    ws = tmp_path / "ws"
    proc = subprocess.run(
        [sys.executable, "-m", "retrolean", "chat", "my goal", "--n", "4", "--workspace", str(ws),
         "--formal", "smtlib2"],
        input="k=2\nyes\n\n\n\n\n\n\n\n", capture_output=True, text=True, timeout=240,
        cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr[-2000:]
    (run,) = (ws / "runs").iterdir()
    users = [b.body for b in blocks(run, "user")]
    assert users[:3] == ["my goal", "k=2", "yes"]
    assert json.loads((run / "plan.json").read_text())["parameters"]["k"] == 2


# -- the model planner ---------------------------------------------------------------------
def _plan(tools: list[str]) -> dict:
    plan = json.loads(json.dumps({"rationale": "r", "stages": [
        {"name": "formalize", "tools": tools, "expectation": "x", "min_yield": 0.4},
        {"name": "presence", "skill": "judge_presence", "tools": ["touchstones"]}]}))
    return plan


MODEL_RUN = PlanTarget(backend="model", language=FormalLanguage.SMTLIB2)


def test_an_invalid_plan_is_repaired_by_the_model():
    with FakeOpenAI() as server:
        server.enqueue(Reply.think("let me plan", json.dumps(_plan(["hammer"]))),
                       Reply.json_in_prose(_plan(["generate", "smt_check"])))
        client = ModelClient(ModelConfig(base_url=server.url, model="fake-r1", max_retries=0))
        plan = ModelPlanner(client, MODEL_RUN)("make R1 easier", {"stages": []}, "")
        assert plan is not None and plan["source"] == "model"
        assert [s["name"] for s in plan["stages"]] == ["formalize", "presence"]
        second = server.chat_requests[1].body["messages"]
        assert "unknown tool 'hammer'" in second[-1]["content"]


def test_a_model_plan_that_drops_the_round_trip_is_sent_back_then_refused():
    unchecked = {"rationale": "skip the slow check", "stages": [
        {"name": "formalize", "tools": ["generate", "smt_check"]},
        {"name": "presence", "tools": ["touchstones"]},
        {"name": "caption", "tools": ["generate"]},
        {"name": "personas", "tools": ["generate"]}]}
    with FakeOpenAI() as server:
        server.enqueue(*[Reply.json_in_prose(unchecked)] * 3)
        client = ModelClient(ModelConfig(base_url=server.url, model="fake-r1", max_retries=0))
        assert ModelPlanner(client, MODEL_RUN, repairs=2)("g", {"stages": []}, "") is None
        feedback = server.chat_requests[1].body["messages"][-1]["content"]
        assert "never runs stage 'roundtrip'" in feedback


def test_a_plan_that_stays_invalid_falls_back():
    with FakeOpenAI() as server:
        server.enqueue(*[Reply.text("no idea")] * 3)
        client = ModelClient(ModelConfig(base_url=server.url, model="fake-r1", max_retries=0))
        assert ModelPlanner(client, MODEL_RUN, repairs=2)("g", {"stages": []}, "") is None
        assert len(server.chat_requests) == 3


# -- resume ----------------------------------------------------------------------------------
def _sets(run: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((run / "sets").glob("*.jsonl"))}


def test_kill_9_mid_stage_then_resume_gives_the_same_sets(tmp_path):
    root = Path(__file__).resolve().parents[1]
    killed_ws, clean_ws = tmp_path / "killed", tmp_path / "clean"
    argv = ["run", "g", "--n", "14", "--seed", "11", "--formal", "smtlib2"]
    proc = subprocess.Popen([sys.executable, "-m", "retrolean", *argv,
                             "--workspace", str(killed_ws)], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    run = None
    while time.time() < deadline:
        runs = list((killed_ws / "runs").glob("*")) if (killed_ws / "runs").exists() else []
        if runs and (runs[0] / "trace.jsonl").exists():
            run = runs[0]
            if any(b.type == "action" and b.stage == "roundtrip" for b in blocks(run)):
                break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert run is not None, "the run never reached the roundtrip stage"
    assert not (run / "report.md").exists(), "killed too late: the run had finished"
    with pytest.raises(SystemExit) as e:
        main([*["run", "--resume", run.name], "--workspace", str(killed_ws)])
    assert e.value.code in (0, None)
    with pytest.raises(SystemExit):
        main([*argv, "--workspace", str(clean_ws)])
    (clean,) = (clean_ws / "runs").iterdir()
    assert _sets(run) == _sets(clean)
    reminders = blocks(run, "task-reminder")
    assert reminders and "Resumed" in reminders[0].body
    with pytest.raises(SystemExit) as again:
        main(["run", "--resume", run.name, "--workspace", str(killed_ws)])
    assert again.value.code == 2  # nothing left to do


def test_a_torn_last_trace_line_is_cut_before_appending(tmp_path):
    from retrolean.traces.schema import TraceHeader
    from retrolean.traces.writer import JsonlSink, TraceWriter

    path = tmp_path / "trace.jsonl"
    writer = TraceWriter([JsonlSink(path, TraceHeader(run_id="r", goal="g"))])
    writer.write("orientation", "first")
    with path.open("a") as f:
        f.write('{"type": "action", "bo')  # killed mid-write
    resumed = TraceWriter([JsonlSink(path, TraceHeader(run_id="r", goal="g"))], start_index=1)
    resumed.write("task-reminder", "resumed")
    header, found = read_trace(path)
    assert header is not None and [b.body for b in found] == ["first", "resumed"]


def test_a_crash_in_a_stage_is_noted_and_the_run_resumes(tmp_path, monkeypatch):
    from retrolean.agent.runner import resume
    from retrolean.recipes import stages as stage_registry

    settings = Settings(workspace=tmp_path / "ws", formal="smtlib2")
    real = stage_registry.STAGES["missing"]

    def crash(records, ctx):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(stage_registry.STAGES, "missing", replace(real, run=crash))
    session = start(settings, RunOptions(goal="g", n=6, seed=3))
    with pytest.raises(RuntimeError):
        drive(session)
    session.close()
    run = session.runtime.run_dir
    last = blocks(run)[-1]
    assert last.type == "error" and "disk on fire" in last.body and "--resume" in last.body
    monkeypatch.setitem(stage_registry.STAGES, "missing", real)
    again = resume(settings, session.run_id)
    state = drive(again)
    again.close()
    assert state["status"] == "finished" and (run / "sets" / "conversations.jsonl").exists()
