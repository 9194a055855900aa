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
        seen_first = list(server.chat_requests)
        listings = sum(r.path.endswith("/models") for r in server.requests)
        asked = dict(r1.asked)
        codes.append(cli(*argv, "--base-url", server.url))
        second_requests = len(server.chat_requests) - first_requests
    first, second = sorted((workspace / "runs").iterdir())
    return {"codes": codes, "first": first, "second": second, "asked": asked,
            "first_requests": first_requests, "second_requests": second_requests,
            "workspace": workspace, "seen_first": seen_first, "listings": listings}


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
    _, blocks = read_trace(runs["first"] / "trace.jsonl")
    assert any(b.type == "debug" and b.data.skill == "caption" and b.data.outcome == "reask"
               for b in blocks)


def test_a_one_off_refusal_is_asked_again_and_its_record_survives(runs):
    assert not (runs["first"] / "sets" / "caption.rejects.jsonl").exists()
    assert model_calls(runs["first"])["caption"]["reasks"] >= 2  # the malformed, the refusal


def test_every_skill_was_asked(runs):
    families = {skill.split(".")[0] for skill in runs["asked"]}
    assert families == {"plan", "formalize", "judge_presence", "caption", "reformalize",
                        "persona", "drop_domain", "fill_in"}


def test_the_model_planned_the_run(runs):
    plan = json.loads((runs["first"] / "plan.json").read_text())
    assert plan["source"] == "model" and plan["rationale"]


def test_the_second_run_makes_no_model_calls_at_all(runs):
    """Every answer comes from the cache, the planner's too: a rerun of the same goal, recipe
    and parameters plans from the same prompt, without the lessons the first run added."""
    assert runs["first_requests"] > 0 and runs["second_requests"] == 0
    assert runs["asked"]["plan"] == 1
    figures = model_calls(runs["second"])
    assert figures and all(f["cache_hits"] == f["calls"] and f["requests"] == 0
                           for f in figures.values())


def test_the_rerun_says_it_planned_as_the_first_run_did(runs):
    first_plan = json.loads((runs["first"] / "plan.json").read_text())
    second_plan = json.loads((runs["second"] / "plan.json").read_text())
    assert second_plan["stages"] == first_plan["stages"] and second_plan["source"] == "model"
    assert f"a rerun of {runs['first'].name}" in second_plan["lessons"]
    _, blocks = read_trace(runs["second"] / "trace.jsonl")
    assert any(f"a rerun of {runs['first'].name}" in b.body for b in blocks
               if b.type == "orientation")


def report_total(run: Path) -> dict[str, int]:
    """The total row of report.md's model-call table, by column."""
    lines = (run / "report.md").read_text().splitlines()
    head = next(line for line in lines if line.startswith("| phase |"))
    total = next(line for line in lines if line.startswith("| **total** |"))
    names = [c.strip() for c in head.strip("|").split("|")]
    values = [c.strip() for c in total.strip("|").split("|")]
    return {name: int(value) for name, value in zip(names[1:], values[1:], strict=True)}


def test_the_report_counts_every_request_the_server_saw(runs):
    total = report_total(runs["first"])
    seen = runs["seen_first"]
    assert total["requests"] == len(seen) == runs["first_requests"]
    answered = [r.usage for r in seen if r.usage]
    assert total["tokens in"] == sum(u["prompt_tokens"] for u in answered)
    assert total["tokens out"] == sum(u["completion_tokens"] for u in answered)
    report = (runs["first"] / "report.md").read_text()
    assert "| plan #1 |" in report and "| presence #1 |" in report
    assert f"{total['requests']} chat requests" in report and "as above" in report


def test_the_rerun_report_counts_cache_hits_and_no_requests(runs):
    total = report_total(runs["second"])
    assert total["requests"] == 0 and total["cache hits"] == total["calls"] > 0


def test_each_run_probes_the_endpoint_once_before_planning(runs):
    assert runs["listings"] == 1


def test_the_second_run_yields_the_same_records(runs):
    def final(run: Path) -> list[tuple[str, str]]:
        return [(r["id"], r["fill_in"]["text"])
                for r in load_set(run / "sets" / "conversations.jsonl")]

    assert final(runs["first"]) == final(runs["second"])


def test_the_report_accounts_for_model_calls_per_stage(runs):
    report = (runs["first"] / "report.md").read_text()
    assert "**model** (model `fake-r1`)" in report
    assert "| formalize #1 |" in report and "model_calls =" not in report


def test_the_cache_lives_in_the_workspace_and_git_ignores_it(runs):
    assert (runs["workspace"] / "model-cache.sqlite").is_file()
    assert "*.sqlite*" in (runs["workspace"] / ".gitignore").read_text()
