"""On the model backend, checks fail closed and a refuted caption is written again."""

from __future__ import annotations

from pathlib import Path

import pytest
from scripted_r1 import ScriptedR1

from retrolean.agent.cli import main
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.tools.generate.fake_server import FakeOpenAI
from retrolean.tools.save_set import load_set

pytest_plugins = ["conftest_fake_openai"]


def model_run(tmp_path: Path, r1: ScriptedR1, n: int = 6) -> tuple[int, Path, FakeOpenAI]:
    workspace = tmp_path / "ws"
    argv = ["run", "g", "--n", str(n), "--seed", "3", "--formal", "smtlib2", "--workspace",
            str(workspace), "--model", "fake-r1"]
    with pytest.MonkeyPatch.context() as patch, FakeOpenAI(fallback=r1) as server:
        for key in ("OPENAI_API_KEY", "OPENAI_MODEL", "RETROLEAN_MODEL", "RETROLEAN_API_KEY"):
            patch.delenv(key, raising=False)
        with pytest.raises(SystemExit) as e:
            main([*argv, "--base-url", server.url])
    (run,) = (workspace / "runs").iterdir()
    return int(e.value.code or 0), run, server


def test_a_refuted_caption_is_written_again_with_its_counterexample(tmp_path):
    r1 = ScriptedR1(load_catalog())
    r1.wrong_captions = 1
    code, run, server = model_run(tmp_path, r1)
    assert code == 0
    again = [r for r in load_set(run / "sets" / "roundtrip.jsonl")
             if r["english"]["recaptions"] == 1]
    assert len(again) == 1
    rt = again[0]["english"]["roundtrip"]
    assert (rt["method"], rt["outcome"]) == ("equivalence", "pass")
    feedback = [r.body["messages"][0]["content"] for r in server.chat_requests
                if "did not survive a check" in r.body["messages"][0]["content"]]
    assert len(feedback) == 1 and "satisfies what your caption says but not" in feedback[0]


def test_a_reformalizer_that_asks_back_never_passes(tmp_path):
    r1 = ScriptedR1(load_catalog())
    r1.ask_back = {"reformalize"}
    _code, run, _server = model_run(tmp_path, r1, n=4)
    rejects = load_set(run / "sets" / "roundtrip.rejects.jsonl")
    assert rejects and not load_set(run / "sets" / "roundtrip.jsonl")
    assert all(r["reject"]["kind"] == "undecided: caption not formalized again"
               for r in rejects)


def test_a_judge_that_never_says_yes_or_no_passes_no_domain(tmp_path):
    r1 = ScriptedR1(load_catalog())
    r1.judge_undecided = True
    _code, run, _server = model_run(tmp_path, r1, n=4)
    rejects = load_set(run / "sets" / "presence.rejects.jsonl")
    assert rejects and not load_set(run / "sets" / "presence.jsonl")
    for r in rejects:
        assert r["reject"]["kind"] == "undecided: judge"
        assert all(p["method"] == "judge-undecided" and p["judge"] is None
                   for p in r["presence"].values())
