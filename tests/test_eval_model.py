"""`retrolean eval model` against the scripted OpenAI-compatible server (fake_server).

The scripted model answers the missing-domain descriptions in a fixed cycle —
the gold formal problem (right), the reformalized missing-domain version
(wrong: the dropped domain is absent), prose without code (unparseable) — and
answers every full persona description with the gold problem, except one
request that fails with HTTP 400. The expected scores follow from that script.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import git
import pytest

from retrolean.agent.cli import main
from retrolean.evals.bench_score import score_answer
from retrolean.evals.model_bench import aggregate
from retrolean.evals.runs import RunView
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.tools.generate.fake_server import FakeOpenAI, RecordedRequest, Reply
from retrolean.tools.smt_check import smt_check
from retrolean.tools.touchstones import touchstones_present

MARK = "The description:\n\n"


def cli(*argv: str) -> int:
    with pytest.raises(SystemExit) as e:
        main(list(argv))
    return int(e.value.code or 0)


class ScriptedModel:
    """Answers by which record and variant a prompt's description belongs to."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.missing = {r["missing"]["text"].strip(): (i, r) for i, r in enumerate(records)}
        self.persona = {r["personas"][r["missing"]["persona"]]["text"].strip(): (i, r)
                        for i, r in enumerate(records)}
        self.failing = records[0]["id"]  # its persona-variant call fails

    def kind(self, i: int) -> str:
        return ("right", "wrong", "garbage")[i % 3]

    def __call__(self, request: RecordedRequest) -> Reply:
        description = request.body["messages"][0]["content"].split(MARK, 1)[1].strip()
        if description in self.missing:
            i, r = self.missing[description]
            kind = self.kind(i)
            if kind == "right":
                return Reply.fenced("smt2", r["formal"]["text"])
            if kind == "wrong":
                return Reply.fenced("smt2", r["missing"]["roundtrip"]["text"])
            return Reply.think("Hmm.", "It sounds like a fun puzzle; I would start by drawing it.")
        i, r = self.persona[description]
        if r["id"] == self.failing:
            return Reply(status=400, error_message="this prompt is not allowed")
        return Reply.text(f"```smtlib2\n{r['formal']['text']}\n```")


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Iterator[tuple[Path, RunView, ScriptedModel, FakeOpenAI]]:
    """A 15-problem template run, the scripted server, and one benchmark of it via the CLI."""
    workspace = tmp_path_factory.mktemp("bench") / "ws"
    assert cli("run", "make R1 easier to prompt", "--n", "15", "--seed", "5",
               "--workspace", str(workspace)) == 0
    (run_dir,) = (workspace / "runs").iterdir()
    run = RunView.open(run_dir)
    model = ScriptedModel(run.final())
    with FakeOpenAI(fallback=model) as server:
        assert cli("eval", "model", "--set", "latest", "--model", "fake-r1", "--base-url",
                   server.url, "--concurrency", "3", "--workspace", str(workspace)) == 0
        yield workspace, run, model, server


def outputs(run: RunView) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    (out,) = sorted(p for p in (run.path / "bench").iterdir() if p.is_dir())[:1]
    answers = [json.loads(x) for x in (out / "answers.jsonl").read_text().splitlines()]
    return json.loads((out / "summary.json").read_text()), answers


def expected_missing(r: dict[str, Any], kind: str) -> dict[str, float]:
    """What the scorer must give each scripted answer to a missing-domain description."""
    if kind == "right":
        return {"check": 1, "dropped_present": 1, "domains_present": 1, "similarity": 1,
                "success": 1}
    if kind == "garbage":
        return dict.fromkeys(("check", "dropped_present", "domains_present", "similarity",
                              "success"), 0.0)
    text = r["missing"]["roundtrip"]["text"]
    cards = load_catalog().domains
    present = [touchstones_present(text, cards[d].touchstones.smtlib2, "smtlib2")
               for d in r["domains"]]
    return {"check": float(smt_check(text).ok), "dropped_present": 0.0,
            "domains_present": sum(present) / len(present),
            "similarity": r["missing"]["roundtrip"]["similarity"], "success": 0.0}


def test_every_item_is_answered_saved_and_committed(bench):
    workspace, run, _, server = bench
    summary, answers = outputs(run)
    final = run.final()
    assert summary["items"] == len(answers) == 2 * len(final)
    assert {a["item_id"] for a in answers} == {f"{r['id']}:{v}" for r in final
                                               for v in ("missing", "persona")}
    assert len(server.chat_requests) == len(answers)
    assert server.max_in_flight <= 3
    assert git.Repo(workspace).head.commit.message.startswith(f"eval {run.run_id}: benchmark")


def test_prompts_carry_the_description_and_the_naming_glossary(bench):
    _, run, _, server = bench
    descriptions = {r["missing"]["text"].strip() for r in run.final()} | {
        r["personas"][r["missing"]["persona"]]["text"].strip() for r in run.final()}
    for request in server.chat_requests[: len(run.final())]:
        prompt = request.body["messages"][0]["content"]
        assert "SMT-LIB 2" in prompt and "```smt2" in prompt
        assert "`coin_…` for coin change" in prompt
        assert prompt.split(MARK, 1)[1].strip() in descriptions


def test_missing_domain_scores_match_the_script(bench):
    _, run, model, _ = bench
    summary, answers = outputs(run)
    by_id = {a["record_id"]: a for a in answers if a["variant"] == "missing"}
    expected = []
    for i, r in enumerate(run.final()):
        want = expected_missing(r, model.kind(i))
        expected.append(want)
        score = by_id[r["id"]]["score"]
        assert score["check_ok"] == bool(want["check"])
        assert score["dropped_present"] == bool(want["dropped_present"])
        assert score["domains_present"] == pytest.approx(want["domains_present"], abs=1e-3)
        assert score["similarity"] == pytest.approx(want["similarity"], abs=2e-3)
        assert score["success"] == bool(want["success"])
        if model.kind(i) == "garbage":
            assert score["parse_error"] == "no_code" and score["code"] is None
    overall = summary["overall"]["missing"]
    for metric in ("check", "dropped_present", "similarity", "success"):
        mean = sum(e[metric] for e in expected) / len(expected)
        ci = overall[metric]
        assert ci["mean"] == pytest.approx(mean, abs=2e-3) and ci["n"] == len(expected)
        assert ci["low"] <= ci["mean"] <= ci["high"]
    assert summary["parse_failures"] == sum(model.kind(i) == "garbage"
                                            for i in range(len(run.final())))


def test_a_failed_call_is_recorded_and_left_out_of_the_means(bench):
    _, run, model, _ = bench
    summary, answers = outputs(run)
    (failed,) = [a for a in answers if a["error"]]
    assert failed["item_id"] == f"{model.failing}:persona" and failed["score"] is None
    assert failed["error"].startswith("bad_request")
    assert summary["call_failures"] == 1 and summary["answered"] == summary["items"] - 1
    persona = summary["overall"]["persona"]
    assert persona["success"]["n"] == len(run.final()) - 1
    assert persona["success"]["mean"] == 1.0 and persona["similarity"]["mean"] == 1.0


def test_breakdowns_per_persona_and_per_dropped_domain_cover_every_item(bench):
    _, run, _, _ = bench
    summary, answers = outputs(run)
    missing = [a for a in answers if a["variant"] == "missing"]
    by_persona = summary["by_persona"]["missing"]
    assert set(by_persona) == {a["persona"] for a in missing}
    assert sum(t["success"]["n"] for t in by_persona.values()) == len(missing)
    by_domain = summary["by_domain"]["missing"]
    assert set(by_domain) == {a["dropped"] for a in missing}
    for domain, table in by_domain.items():
        hits = [a["score"]["success"] for a in missing if a["dropped"] == domain]
        assert table["success"]["mean"] == pytest.approx(sum(hits) / len(hits), abs=1e-3)


def test_a_second_benchmark_comes_from_the_cache_but_asks_again_for_failures(bench):
    workspace, run, _, server = bench
    before = len(server.chat_requests)
    assert cli("eval", "model", "--set", run.run_id, "--model", "fake-r1", "--base-url",
               server.url, "--workspace", str(workspace)) == 0
    assert len(server.chat_requests) == before + 1  # only the failed call is asked again


def test_an_unknown_model_fails_every_call_with_one_line(bench, capsys):
    workspace, run, _, server = bench
    assert cli("eval", "model", "--set", run.run_id, "--model", "no-such-model", "--base-url",
               server.url, "--limit", "2", "--workspace", str(workspace)) == 2
    err = capsys.readouterr().err
    assert "every call to" in err and "--model" in err and err.count("\n") == 1


def test_eval_model_needs_an_endpoint(bench, capsys):
    workspace, run, _, _ = bench
    assert cli("eval", "model", "--set", run.run_id, "--workspace", str(workspace)) == 2
    assert "--base-url" in capsys.readouterr().err


def test_scoring_is_zero_for_unparseable_and_bootstrap_is_seeded():
    score = score_answer("<think>long thought", "", "length", "smtlib2", "primes", ["primes"],
                         {"primes": [r"\bprime_\w+"]}, lambda code: smt_check(code))
    assert score.parse_error == "truncated" and score.metric("success") == 0.0
    assert aggregate([], 0) == ({}, {}, {})
