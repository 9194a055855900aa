"""Ratings are committed to the workspace; scores follow the documented formula."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest
from review_run import add_run_copy, cli, copy_workspace, only_run, review_workspace

from retrolean.memory.errors import UserError
from retrolean.memory.ratings import parse_label, read_rating, save_rating
from retrolean.memory.workspace import Workspace
from retrolean.traces.golden import select_golden
from retrolean.traces.reader import load_trace
from retrolean.traces.schema import Block, make_block
from retrolean.traces.score import expectation_figure, score_trace
from retrolean.traces.summary import summarize_runs


@pytest.fixture(scope="module")
def shared_ws(tmp_path_factory) -> Path:
    return review_workspace(tmp_path_factory)


@pytest.fixture
def ws(shared_ws, tmp_path) -> Path:
    return copy_workspace(shared_ws, tmp_path / "own")


def test_rating_is_stored_beside_the_run_and_committed(ws):
    run = only_run(ws)
    rating = save_rating(Workspace(ws), run.name, "good", "clean yields")
    assert read_rating(run) == rating and rating.note == "clean yields"
    repo = git.Repo(ws)
    assert repo.head.commit.message.strip() == f"run {run.name}: rated good (clean yields)"
    assert f"runs/{run.name}/rating.json" in repo.git.ls_files()
    assert not repo.is_dirty(untracked_files=True)


def test_rating_again_replaces_it_and_git_keeps_the_old_one(ws):
    run = only_run(ws)
    save_rating(Workspace(ws), run.name, "good")
    save_rating(Workspace(ws), run.name, "bad", "wrong domains")
    assert read_rating(run).label == "bad"
    log = git.Repo(ws).git.log("--format=%s", "--", f"runs/{run.name}/rating.json").splitlines()
    assert log == [f"run {run.name}: rated bad (wrong domains)", f"run {run.name}: rated good"]


@pytest.mark.parametrize("text", ["meh", "", "GOODISH"])
def test_only_good_or_bad(text):
    with pytest.raises(UserError, match="rating must be good or bad"):
        parse_label(text)


def test_cli_rate_commits_and_reports_the_new_score(ws, capsys):
    assert cli("traces", "rate", "latest", "GOOD", "--note", "nice", "--workspace", str(ws)) == 0
    out = capsys.readouterr().out
    assert "rated" in out and "score now 1." in out
    assert "rated good (nice)" in git.Repo(ws).head.commit.message
    assert cli("traces", "rate", "latest", "meh", "--workspace", str(ws)) == 2


def test_a_damaged_rating_file_is_a_clear_error(ws):
    (only_run(ws) / "rating.json").write_text("{not json")
    with pytest.raises(UserError, match="rate the run again"):
        read_rating(only_run(ws))


def test_label_moves_the_score_by_one_either_way(ws):
    blocks = load_trace(only_run(ws)).blocks
    plain = score_trace(blocks).total
    assert score_trace(blocks, "good").total == pytest.approx(plain + 1)
    assert score_trace(blocks, "bad").total == pytest.approx(plain - 1)


@pytest.mark.parametrize("text, figure", [
    ("at least 40% of sampled combinations are consistent", 0.4),
    ("every requested domain appears in nearly every problem", 0.9),
    ("every problem yields its conversations", 1.0),
    ("at most 5 errors, somewhere", None),
    ("captions read well", None),
])
def test_expectation_figures(text, figure):
    assert expectation_figure(text) == figure


def _b(type: str, stage: str | None = None, body: str = "", **kw) -> Block:
    return make_block(type, body, stage=stage, **kw)


def test_score_formula_on_a_hand_made_trace():
    blocks = [
        _b("expectation", "a", "at least 50% survive"),
        _b("evaluation", "a", data={"observed": 0.25}, score=0.0),
        _b("expectation", "b", "whatever", data={"min_yield": 0.8}),
        _b("observation", "b", data={"tool": "save_set", "stage_yield": {
            "stage": "b", "records_in": 10, "records_out": 8, "rejected": 2}}),
        _b("error", body="boom"),
        _b("outcome", data={"status": "finished", "final": 3, "sampled": 10,
                            "budget_used": 0.5}),
    ]
    s = score_trace(blocks)
    # yield 0.3, expectations (0.5 + 1.0) / 2, evaluations 0.5, budget 0.5
    base = 0.4 * 0.3 + 0.3 * 0.75 + 0.2 * 0.5 + 0.1 * 0.5
    assert s.base == pytest.approx(base) and s.total == pytest.approx(base - 0.1)
    assert s.parts == {"yield": 0.3, "expectations": 0.75, "evaluations": 0.5, "budget": 0.5}


def test_a_run_that_never_finished_scores_zero_yield_and_pays_for_errors():
    s = score_trace([_b("error", body=str(i)) for i in range(5)])
    assert not s.finished and s.parts == {"yield": 0.0} and s.total == pytest.approx(-0.3)


def test_list_sorts_by_score_and_golden_filters_by_rating(ws, capsys, monkeypatch):
    run = only_run(ws)
    errors = [{"type": "error", "index": 900 + i, "body": f"tool failed {i}"} for i in range(2)]
    add_run_copy(ws, run, "29990101-000000-worse-0001", tuple(errors))
    add_run_copy(ws, run, "29990101-000000-rated-0002")
    save_rating(Workspace(ws), "29990101-000000-rated-0002", "bad")
    by_score = summarize_runs(Workspace(ws), "score")
    assert [s.run_id for s in by_score] == [run.name, "29990101-000000-worse-0001",
                                            "29990101-000000-rated-0002"]
    assert by_score[0].score.total - by_score[1].score.total == pytest.approx(0.2)
    monkeypatch.setenv("COLUMNS", "250")
    assert cli("traces", "list", "--sort", "score", "--workspace", str(ws)) == 0
    out = capsys.readouterr().out
    assert out.index(run.name) < out.index("worse-0001") < out.index("rated-0002")
    assert [s.run_id for s in select_golden(by_score, top="50%")] == \
        [run.name, "29990101-000000-worse-0001"]
    assert [s.run_id for s in select_golden(by_score, rating="bad")] == \
        ["29990101-000000-rated-0002"]
    with pytest.raises(UserError, match="--top takes a share"):
        select_golden(by_score, top="lots")
    assert json.loads((ws / "runs" / "29990101-000000-rated-0002" / "rating.json")
                      .read_text())["label"] == "bad"
