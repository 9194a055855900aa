"""The whole recipe through a scripted R1 on loopback, twice: faults met, then all from cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scripted_r1 import ScriptedR1

from retrolean.agent.cli import main
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.tools.generate.fake_server import FakeOpenAI, Reply
from retrolean.tools.save_set import load_set
from retrolean.traces.score import stage_yields
from retrolean.traces.writer import read_trace

pytest_plugins = ["conftest_fake_openai"]

STAGES = ["formalize", "presence", "caption", "roundtrip", "personas", "missing", "fill_in",
          "conversations"]
MALFORMED = Reply.think("Let me state it.", '```json\n{"caption": "unfinished",\n```')


def cli(*argv: str) -> int:
    with pytest.raises(SystemExit) as e:
        main(list(argv))
    return int(e.value.code or 0)


def model_calls(run: Path) -> dict[str, dict[str, int]]:
    """The model_calls figure of each stage, read back from the trace's observations."""
    _, blocks = read_trace(run / "trace.jsonl")
    return {y.stage: y.figures["model_calls"] for y in stage_yields(blocks)
            if y.figures.get("model_calls")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Run the same command twice against one scripted server; keep what each run did."""
    workspace = tmp_path_factory.mktemp("model-run") / "ws"
    r1 = ScriptedR1(load_catalog())
    r1.faults = {"formalize": [Reply.rate_limited(retry_after="0.2")],
                 "caption": [MALFORMED, Reply.refusal()],
                 "judge_presence": [Reply.server_error(500)],
                 "fill_in": [Reply.slow(5.0)]}
    argv = ["run", "make R1 easier to prompt", "--n", "8", "--seed", "3", "--formal",
            "smtlib2", "--workspace", str(workspace), "--model", "fake-r1", "--concurrency", "8"]
    with pytest.MonkeyPatch.context() as patch, FakeOpenAI(fallback=r1) as server:
        patch.setenv("RETROLEAN_MODEL_TIMEOUT_S", "3")
        for key in ("OPENAI_API_KEY", "OPENAI_MODEL", "RETROLEAN_MODEL", "RETROLEAN_API_KEY"):
            patch.delenv(key, raising=False)
        codes = [cli(*argv, "--base-url", server.url)]
        first_requests = len(server.chat_requests)
        asked = dict(r1.asked)
        codes.append(cli(*argv, "--base-url", server.url))
        second_requests = len(server.chat_requests) - first_requests
    first, second = sorted((workspace / "runs").iterdir())
    return {"codes": codes, "first": first, "second": second, "asked": asked,
            "first_requests": first_requests, "second_requests": second_requests,
            "workspace": workspace}


def test_both_runs_finish_every_stage(runs):
    assert runs["codes"] == [0, 0]
    for stage in STAGES:
        assert (runs["first"] / "sets" / f"{stage}.jsonl").exists(), stage
    assert load_set(runs["first"] / "sets" / "conversations.jsonl")


def test_records_say_they_came_from_the_model(runs):
    for record in load_set(runs["first"] / "sets" / "conversations.jsonl"):
        provenance = record["provenance"]
        assert provenance["generator"] == "model" and provenance["model"] == "fake-r1"
        assert provenance["skill_versions"]["formalize.smtlib2"] == "1"
        assert record["formal"]["check"]["ok"] and record["formal"]["check"]["witness"]
        assert all(p["judge_method"] == "logprobs" and p["judge"] > 0.5
                   for p in record["presence"].values())
        assert record["english"]["roundtrip"]["check"]["ok"]
        assert record["fill_in"]["text"] and record["missing"]["text"]


def test_faults_cost_retries_not_items(runs):
    figures = model_calls(runs["first"])
    answered = sum(f["calls"] - f["failures"] - f["cache_hits"] for f in figures.values())
    assert sum(f["requests"] for f in figures.values()) >= answered + 3  # 429, 500, timeout
    assert sum(f["failures"] for f in figures.values()) == 0
    assert runs["first_requests"] > sum(f["requests"] for f in figures.values()) - 1


def test_a_malformed_answer_is_asked_again(runs):
    assert model_calls(runs["first"])["caption"]["reasks"] >= 1


def test_a_refusal_rejects_its_record(runs):
    rejects = load_set(runs["first"] / "sets" / "caption.rejects.jsonl")
    assert [r["reject"]["kind"] for r in rejects] == ["refusal"]


def test_every_skill_was_asked(runs):
    families = {skill.split(".")[0] for skill in runs["asked"]}
    assert families == {"plan", "formalize", "judge_presence", "caption", "reformalize",
                        "persona", "drop_domain", "fill_in"}


def test_the_model_planned_the_run(runs):
    plan = json.loads((runs["first"] / "plan.json").read_text())
    assert plan["source"] == "model" and plan["rationale"]


def test_the_second_run_makes_no_skill_calls(runs):
    """Every skill answer comes from the cache; the one request is the planner's, whose prompt
    now carries the first run's lessons (a new prompt, so a new call — by design)."""
    assert runs["first_requests"] > 0 and runs["second_requests"] == 1
    assert runs["asked"]["plan"] == 2
    figures = model_calls(runs["second"])
    assert figures and all(f["cache_hits"] == f["calls"] and f["requests"] == 0
                           for f in figures.values())


def test_the_second_run_yields_the_same_records(runs):
    def final(run: Path) -> list[tuple[str, str]]:
        return [(r["id"], r["fill_in"]["text"])
                for r in load_set(run / "sets" / "conversations.jsonl")]

    assert final(runs["first"]) == final(runs["second"])


def test_the_report_accounts_for_model_calls_per_stage(runs):
    report = (runs["first"] / "report.md").read_text()
    assert "**model** (model `fake-r1`)" in report
    assert "formalize: model_calls = {'calls':" in report and "tokens_out" in report


def test_the_cache_lives_in_the_workspace_and_git_ignores_it(runs):
    assert (runs["workspace"] / "model-cache.sqlite").is_file()
    assert "*.sqlite*" in (runs["workspace"] / ".gitignore").read_text()


# --- doctor --------------------------------------------------------------------------------


def doctor(capsys, monkeypatch, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", "250")
    cli("doctor", *args)
    return capsys.readouterr().out


def test_doctor_says_the_endpoint_answers(fake_openai, capsys, monkeypatch):
    out = doctor(capsys, monkeypatch, "--model", "fake-r1", "--base-url", fake_openai.url)
    assert "'fake-r1' at" in out and "answers" in out


def test_doctor_names_a_model_the_endpoint_does_not_serve(fake_openai, capsys, monkeypatch):
    out = doctor(capsys, monkeypatch, "--model", "r1-huge", "--base-url", fake_openai.url)
    assert "'r1-huge' is not served" in out and "fake-r1" in out


def test_doctor_says_when_only_half_is_configured(capsys, monkeypatch):
    out = doctor(capsys, monkeypatch, "--model", "fake-r1")
    assert "--base-url/OPENAI_BASE_URL is missing" in out
