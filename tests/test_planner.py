"""The model planner on the loopback server: its thinking traced, repairs without it, parameters
kept from a user's words, steering between stages, lessons for new goals and not for reruns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scripted_r1 import ScriptedR1

from retrolean.agent.graph.planner import ModelPlanner, parameter_changes
from retrolean.agent.pipeline import RunOptions
from retrolean.agent.runner import drive, start
from retrolean.agent.settings import Settings
from retrolean.memory.languages import FormalLanguage
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.recipes.plans import PlanTarget
from retrolean.recipes.recipe import Parameters
from retrolean.tools.generate import ModelClient, ModelConfig, ResponseCache
from retrolean.tools.generate.fake_server import FakeOpenAI, RecordedRequest, Reply
from retrolean.traces.schema import TraceHeader
from retrolean.traces.writer import JsonlSink, TraceWriter, read_trace

pytest_plugins = ["conftest_fake_openai"]

MODEL_RUN = PlanTarget(backend="model", language=FormalLanguage.SMTLIB2)
PERSONAS = ["autodidact", "humanities_major", "lazy_busy", "stem_on_lsd"]
BAD = json.dumps({"rationale": "r", "stages": [{"name": "formalize", "tools": ["hammer"]}]})
GOOD = json.dumps({"rationale": "r", "stages": [
    {"name": "formalize", "tools": ["generate", "smt_check"]},
    {"name": "presence", "tools": ["touchstones"]}]})
THOUGHT = "I weigh which stages this goal needs."


def planner(server: FakeOpenAI, trace: TraceWriter | None = None) -> ModelPlanner:
    client = ModelClient(ModelConfig(base_url=server.url, model="fake-r1", max_retries=0))
    return ModelPlanner(client, MODEL_RUN, trace, personas=PERSONAS)


def trace_to(path: Path) -> TraceWriter:
    return TraceWriter([JsonlSink(path, TraceHeader(run_id="r", goal="g"))])


# --- thinking and repairs -------------------------------------------------------------------


@pytest.mark.parametrize("delivery", ["inline", "unopened", "reasoning_content"])
def test_the_planners_thinking_is_traced_and_not_sent_back(delivery, fake_openai, tmp_path):
    first = {"inline": Reply(content=f"<think>\n{THOUGHT}\n</think>\n\n{BAD}"),
             "unopened": Reply(content=f"{THOUGHT}\n</think>\n\n{BAD}"),
             "reasoning_content": Reply.text(BAD, reasoning_content=THOUGHT)}[delivery]
    fake_openai.enqueue(first, Reply.json_in_prose(json.loads(GOOD)))
    trace = trace_to(tmp_path / "trace.jsonl")
    plan = planner(fake_openai, trace)("g", {"stages": []}, "")
    assert plan is not None and [s["name"] for s in plan["stages"]] == ["formalize", "presence"]
    _, blocks = read_trace(tmp_path / "trace.jsonl")
    thoughts = [b.body for b in blocks if b.type == "orientation" and b.data.source == "planner"]
    assert thoughts[0] == THOUGHT
    repair = fake_openai.chat_requests[1].body["messages"]
    assert [m["role"] for m in repair] == ["user", "assistant", "user"]
    assert repair[1]["content"] == BAD and "unknown tool 'hammer'" in repair[2]["content"]
    calls = [b.data for b in blocks if b.type == "debug"]
    assert [(c.skill, c.outcome) for c in calls] == [("plan", "reask"), ("plan", "ok")]


def test_the_planners_calls_are_counted_for_the_report(fake_openai):
    fake_openai.enqueue(Reply.think("t", BAD), Reply.json_in_prose(json.loads(GOOD)))
    model = planner(fake_openai)
    model("g", {"stages": []}, "")
    spent = model.take_spent()
    assert (spent.calls, spent.requests, spent.reasks) == (2, 2, 1)
    assert spent.tokens_in == sum(r.usage["prompt_tokens"] for r in fake_openai.chat_requests)
    assert model.take_spent().calls == 0


# --- parameters from a user's words ---------------------------------------------------------


def test_parameters_are_validated_clamped_and_refused_with_a_note():
    changes, notes = parameter_changes(
        {"n": 6, "k": 2, "theme_rate": 1.5, "colour": "red", "temperature_scale": 0,
         "personas_per_problem": 2.5, "persona_weights": {"lazy_busy": 3, "ghost": 1}},
        Parameters(n=10), PERSONAS)
    assert changes == {"n": 6, "k": 2, "theme_rate": 1.0, "persona_weights": {"lazy_busy": 3.0}}
    said = " | ".join(notes)
    for word in ("theme_rate = 1.5 is above 1; set to 1", "no parameter 'colour'",
                 "temperature_scale = 0 must be above 0", "2.5 is not a whole number",
                 "persona 'ghost' does not exist"):
        assert word in said


def test_a_revision_keeps_the_models_parameters(fake_openai):
    proposal = {**json.loads(GOOD), "parameters": {"n": 6, "k": 2, "theme_rate": 7}}
    fake_openai.enqueue(Reply.json_in_prose(proposal))
    revision = planner(fake_openai).revise("g", json.loads(GOOD), "n=6, fewer domains",
                                           Parameters(n=10, k=3))
    assert revision is not None and revision.changes == {"n": 6, "k": 2, "theme_rate": 1.0}
    assert revision.notes == ["theme_rate = 7 is above 1; set to 1"]
    prompt = fake_openai.chat_requests[0].body["messages"][0]["content"]
    assert "The user asks: n=6, fewer domains" in prompt and "- n (int, ≥ 1, ≤ 1e+06): 10" in prompt
    assert "lazy_busy" in prompt and '"parameters"' in prompt


def test_a_revision_must_keep_the_stages_already_run(fake_openai):
    formalize = {"name": "formalize", "tools": ["generate", "smt_check"]}
    caption = {"name": "caption", "tools": ["generate"]}
    presence = {"name": "presence", "tools": ["touchstones"]}
    roundtrip = {"name": "roundtrip", "tools": ["generate", "embed_similarity", "smt_check"]}
    fake_openai.enqueue(Reply.json_in_prose({"stages": [formalize, caption, presence, roundtrip]}),
                        Reply.json_in_prose({"stages": [formalize, presence, caption,
                                                        roundtrip]}))
    revision = planner(fake_openai).revise("g", json.loads(GOOD), "caption it",
                                           Parameters(), keep=["formalize", "presence"])
    assert revision is not None
    assert [s["name"] for s in revision.plan["stages"]] == ["formalize", "presence", "caption",
                                                            "roundtrip"]
    assert "must stay first" in fake_openai.chat_requests[1].body["messages"][2]["content"]


# --- in a run: chat edits, steering, lessons --------------------------------------------------


def user_asked(request: RecordedRequest) -> str | None:
    """The user's words in a planner revision prompt, or None for any other prompt."""
    prompt = request.body["messages"][0]["content"] if request.body else ""
    if not prompt.startswith("# Task: plan") or "The user asks: " not in prompt:
        return None
    return prompt.split("The user asks: ", 1)[1].split("\n", 1)[0]


def stages_shown(request: RecordedRequest) -> list[dict]:
    prompt = request.body["messages"][0]["content"]
    return json.loads(prompt.split("```json", 1)[1].split("```", 1)[0])


class Revising:
    """ScriptedR1, plus answers to revision prompts as R1 would give them for two requests."""

    def __init__(self) -> None:
        self.r1 = ScriptedR1(load_catalog())

    def __call__(self, request: RecordedRequest) -> Reply:
        words = user_asked(request)
        if words is None:
            return self.r1(request)
        stages = stages_shown(request)
        if words.startswith("skip the "):
            skipped = words.split()[2]
            return Reply.json_in_prose({"rationale": "as asked", "stages": [
                s for s in stages if s["name"] != skipped], "parameters": {}})
        return Reply.json_in_prose({"rationale": "fewer domains, fewer problems, lazier",
                                    "stages": stages, "parameters": {
                                        "n": 6, "k": 2, "persona_weights": {"lazy_busy": 3}}})


def session(server: FakeOpenAI, workspace: Path, goal: str = "g", **options):
    settings = Settings(workspace=workspace, formal="smtlib2", model="fake-r1",
                        base_url=server.url)
    return start(settings, RunOptions(goal=goal, **{"n": 3, "seed": 1, **options}),
                 interactive=True)


def answers(*said: str):
    queue = list(said)
    return lambda payload: queue.pop(0) if queue else "stop"


def test_a_chat_edit_with_a_model_applies_the_parameters_it_asks_for(tmp_path):
    with FakeOpenAI(fallback=Revising()) as server:
        run = session(server, tmp_path / "ws", n=10)
        state = drive(run, answers("fewer domains, n=6, more lazy-guy personas", "no"))
        run.close()
    plan = json.loads((run.runtime.run_dir / "plan.json").read_text())
    assert plan["parameters"]["n"] == 6 and plan["parameters"]["k"] == 2
    assert plan["parameters"]["persona_weights"] == {"lazy_busy": 3.0}
    assert state["overrides"] == {"n": 6, "k": 2, "persona_weights": {"lazy_busy": 3.0}}
    _, blocks = read_trace(run.runtime.run_dir / "trace.jsonl")
    assert any(b.body.startswith("Revised the plan as asked") and "'n': 6" in b.body
               for b in blocks)


def test_steering_between_stages_with_a_model_revises_the_rest_of_the_plan(tmp_path):
    with FakeOpenAI(fallback=Revising()) as server:
        run = session(server, tmp_path / "ws")
        state = drive(run, answers("yes", "skip the conversations stage", "stop"))
        run.close()
    names = [s["name"] for s in state["plan"]["stages"]]
    assert "conversations" not in names and names[:2] == ["formalize", "presence"]
    assert list(state["rows"]) == ["formalize", "presence"]
    saved = json.loads((run.runtime.run_dir / "plan.json").read_text())
    assert [s["name"] for s in saved["stages"]] == names
    _, blocks = read_trace(run.runtime.run_dir / "trace.jsonl")
    assert any(b.body.startswith("Revised the plan as asked: skip the conversations stage")
               and "conversations" not in b.body.split("; stages ")[1] for b in blocks)
    assert sum(e["phase"] == "plan" for e in state["calls"]) == 2  # the plan, the revision


def test_steering_that_would_drop_a_check_is_refused_and_the_plan_kept(tmp_path):
    with FakeOpenAI(fallback=Revising()) as server:
        run = session(server, tmp_path / "ws")
        state = drive(run, answers("yes", "skip the roundtrip stage", "stop"))
        run.close()
    assert "roundtrip" in [s["name"] for s in state["plan"]["stages"]]
    _, blocks = read_trace(run.runtime.run_dir / "trace.jsonl")
    said = [b.body for b in blocks]
    assert any("never runs stage 'roundtrip'" in body for body in said)
    assert any(body.startswith("The planner gave no valid revision for: skip the roundtrip")
               for body in said)
    revisions = [r for r in server.chat_requests if user_asked(r)]
    assert len(revisions) >= 2  # the refused plan went back to the model with its problem
    assert all("Not understood" not in body for body in said)


def plan_prompts(server: FakeOpenAI) -> list[str]:
    return [r.body["messages"][0]["content"] for r in server.chat_requests
            if r.body["messages"][0]["content"].startswith("# Task: plan")]


def test_lessons_inform_a_new_goal_but_a_rerun_plans_as_before(tmp_path):
    workspace = tmp_path / "ws"
    with FakeOpenAI(fallback=Revising()) as server:
        runs = []
        for goal in ("make R1 easier to prompt", "teach R1 scheduling",
                     "make R1 easier to prompt"):
            run = session(server, workspace, goal)
            drive(run, answers("no"))
            run.close()
            runs.append(run.runtime.run_dir)
        prompts = plan_prompts(server)
    assert len(prompts) == 2  # the rerun's planner prompt was the first one: a cache hit
    assert "Lessons from earlier runs" not in prompts[0]
    assert "Lessons from earlier runs" in prompts[1] and runs[0].name in prompts[1]
    first, new, rerun = (json.loads((r / "plan.json").read_text())["lessons"] for r in runs)
    assert first == "no lessons" and f"lessons from 1 earlier run ({runs[0].name})" == new
    assert rerun.startswith(f"a rerun of {runs[0].name}") and "no lessons" in rerun
    _, blocks = read_trace(runs[1] / "trace.jsonl")
    assert any(b.body.startswith("Planning for goal") and "lessons from 1 earlier run" in b.body
               for b in blocks)


def test_no_cache_plans_without_reading_or_writing_the_cache(tmp_path):
    workspace = tmp_path / "ws"
    with FakeOpenAI(fallback=Revising()) as server:
        for _ in range(2):
            settings = Settings(workspace=workspace, formal="smtlib2", model="fake-r1",
                                base_url=server.url, use_cache=False)
            run = start(settings, RunOptions(goal="g", n=3, seed=1), interactive=True)
            drive(run, answers("no"))
            run.close()
        prompts = plan_prompts(server)
    assert len(prompts) == 2 and prompts[0] == prompts[1]  # the same prompt, asked again
    assert len(ResponseCache(workspace / "model-cache.sqlite")) == 0
