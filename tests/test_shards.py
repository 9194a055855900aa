"""Sets in shards: the layout and its manifest, readers of both layouts, per-shard resume,
and the same records whatever the batching (local executor; Ray: test_ray_executor.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import git
import pytest
from review_run import cli, only_run

from retrolean.agent.executors import open_executor
from retrolean.agent.graph import stage_sets
from retrolean.agent.settings import Settings
from retrolean.evals.runs import RunView
from retrolean.memory.errors import UserError
from retrolean.memory.runs import read_run_set, set_names
from retrolean.memory.sets import (
    has_set,
    iter_set,
    open_sharded,
    read_manifest,
    read_set,
    save_set,
    set_location,
    write_shard,
)
from retrolean.recipes.stages.figures import merge_figures

GOAL = "make R1 easier to prompt"


def all_sets(run: Path) -> dict[str, list[dict]]:
    return {name: read_run_set(run, name) for name in set_names(run)}


# --- the layout ------------------------------------------------------------------------------

def test_a_sharded_set_reads_back_in_shard_order_with_its_rejects(tmp_path: Path) -> None:
    sets = tmp_path / "sets"
    manifest = open_sharded(sets, "caption", key="k", shard_size=2, shard_count=2)
    write_shard(sets, manifest, 1, 2, [{"id": "c"}], [{"id": "d", "reject": {}}],
                figures={"n": 1}, reasons={"x": 1})
    write_shard(sets, manifest, 0, 2, [{"id": "a"}, {"id": "b"}], [])
    assert [r["id"] for r in read_set(sets, "caption")] == ["a", "b", "c"]
    assert [r["id"] for r in read_set(sets, "caption.rejects")] == ["d"]
    assert has_set(sets, "caption.rejects") and set_location(sets, "caption") == sets / "caption"
    found = read_manifest(sets, "caption")
    assert found is not None and found.complete and found.counts() == (4, 3, 1)


def test_a_changed_or_missing_shard_is_named_never_read(tmp_path: Path) -> None:
    sets = tmp_path / "sets"
    manifest = open_sharded(sets, "caption", key="k", shard_size=2, shard_count=1)
    write_shard(sets, manifest, 0, 1, [{"id": "a"}], [])
    part = sets / "caption" / "part-00000.jsonl"
    part.write_text('{"id": "b"}\n')
    with pytest.raises(UserError, match="does not match its manifest"):
        list(iter_set(sets, "caption"))
    part.unlink()
    with pytest.raises(UserError, match="missing"):
        list(iter_set(sets, "caption"))


def test_a_set_has_one_layout_and_a_new_key_starts_afresh(tmp_path: Path) -> None:
    sets = tmp_path / "sets"
    manifest = open_sharded(sets, "caption", key="k", shard_size=2, shard_count=2)
    write_shard(sets, manifest, 0, 1, [{"id": "a"}], [])
    assert open_sharded(sets, "caption", key="k", shard_size=2, shard_count=2).done() == {0}
    assert open_sharded(sets, "caption", key="other", shard_size=2, shard_count=2).done() == set()
    save_set(sets, "caption", [{"id": "z"}])
    assert not (sets / "caption").exists() and read_set(sets, "caption") == [{"id": "z"}]


def test_per_batch_figures_add_up_and_summaries_refuse_to() -> None:
    total = merge_figures({"checker_status": {"sat": 3}, "calls": 1},
                          {"checker_status": {"sat": 1, "unsat": 2}, "calls": 2})
    assert total == {"calls": 3, "checker_status": {"sat": 4, "unsat": 2}}
    with pytest.raises(ValueError, match="not additive"):
        merge_figures({}, {"median": "0.9"})


# --- runs ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def one_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("single") / "ws"
    assert cli("run", GOAL, "--n", "12", "--seed", "5", "--formal", "smtlib2",
               "--workspace", str(ws)) == 0
    return only_run(ws)


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("sharded") / "ws"
    assert cli("run", GOAL, "--n", "12", "--seed", "5", "--formal", "smtlib2",
               "--shard-size", "5", "--batch-size", "2", "--workspace", str(ws)) == 0
    return only_run(ws)


def test_shards_and_batches_change_nothing_in_the_sets(one_file: Path, sharded: Path) -> None:
    assert (one_file / "sets" / "conversations.jsonl").is_file()
    assert (sharded / "sets" / "conversations" / "manifest.json").is_file()
    assert set_names(one_file) == set_names(sharded)
    assert all_sets(one_file) == all_sets(sharded)


def test_whole_stage_figures_are_measured_after_the_merge(one_file: Path,
                                                         sharded: Path) -> None:
    def rows(run: Path) -> dict[str, dict]:
        view = RunView.open(run)
        trace = [json.loads(line) for line in (run / "trace.jsonl").read_text().splitlines()]
        return {b["stage"]: b["data"]["stage_yield"]["figures"] for b in trace[1:]
                if b.get("type") == "observation" and (b.get("data") or {}).get("stage_yield")
                and b["stage"] in view.stages}

    single, shards = rows(one_file), rows(sharded)
    assert single["roundtrip"]["similarity"] == shards["roundtrip"]["similarity"]
    assert single["missing"] == shards["missing"]
    assert single["formalize"]["checker_status"] == shards["formalize"]["checker_status"]


def test_git_keeps_manifests_not_shard_parts(sharded: Path) -> None:
    repo = git.Repo(sharded.parents[1])
    tracked = repo.git.ls_files(str(sharded)).splitlines()
    assert any(p.endswith("sets/conversations/manifest.json") for p in tracked)
    assert not any("/part-" in p for p in tracked)
    assert any(p.endswith("trace.jsonl") for p in tracked)


def test_review_export_and_eval_read_sharded_sets(sharded: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(sharded.parents[1])
    assert cli("sets", "show", "latest", "--workspace", ws) == 0
    assert "sets/conversations" in capsys.readouterr().out
    assert cli("sets", "show", "latest", "conversations", "--workspace", ws) == 0
    out = tmp_path / "sft.jsonl"
    assert cli("export", "sft", "--sets", "latest", "--out", str(out), "--workspace", ws) == 0
    made = sum(len(r["conversations"]) for r in read_run_set(sharded, "conversations"))
    assert made and len(out.read_text().splitlines()) == made
    view = RunView.open(sharded)
    assert view.final_stage == "conversations" and view.final()
    assert cli("eval", "report", "latest", "--workspace", ws) == 0
    assert (sharded / "eval" / "eval.json").is_file()
    assert cli("eval", "checks", "latest", "--per-record", "1", "--workspace", ws) == 0
    assert (sharded / "eval" / "checks.json").is_file()
    assert view.rejected("formalize") == read_run_set(sharded, "formalize.rejects")


def test_a_stage_killed_midway_resumes_without_redoing_its_finished_shards(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sharded: Path) -> None:
    ws = tmp_path / "ws"
    real = stage_sets.StageSets._write

    def dies_after_one(self, manifest, out):  # type: ignore[no-untyped-def]
        real(self, manifest, out)
        if manifest.stage == "fill_in":  # late: no later stage's retry redoes it on purpose
            raise KeyboardInterrupt  # as a kill would, after one shard is on disk

    monkeypatch.setattr(stage_sets.StageSets, "_write", dies_after_one)
    assert cli("run", GOAL, "--n", "12", "--seed", "5", "--formal", "smtlib2",
               "--shard-size", "5", "--batch-size", "2", "--workspace", str(ws)) == 130
    run = only_run(ws)
    part = run / "sets" / "fill_in" / "part-00000.jsonl"
    before = part.stat().st_mtime_ns
    # resumed as after a kill: in a new process
    again = subprocess.run([sys.executable, "-m", "retrolean", "run", "--resume", run.name,
                            "--workspace", str(ws)], capture_output=True, text=True,
                           check=False)
    assert again.returncode == 0, again.stderr[-2000:]
    assert part.stat().st_mtime_ns == before  # the finished shard was not redone
    assert all_sets(run) == all_sets(sharded)


def test_ray_asked_for_but_not_installed_is_one_clear_line(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(UserError, match=r"pip install 'retrolean\[ray\]'"):
        open_executor(Settings(workspace=tmp_path / "ws", executor="ray"), None)  # type: ignore[arg-type]


def test_the_driver_reads_shards_a_window_at_a_time() -> None:
    from retrolean.agent.graph.stage_sets import ShardSource, windows

    sources = [ShardSource(i, 5, list) for i in range(3)]
    assert [[s.index for s in w] for w in windows(sources, 8)] == [[0, 1], [2]]
    assert [[s.index for s in w] for w in windows(sources, 1)] == [[0], [1], [2]]
