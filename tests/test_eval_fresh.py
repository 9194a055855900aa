"""`retrolean eval fresh-set`: the same recipe with a new seed, disjoint from the earlier run."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest

from retrolean.agent.cli import main
from retrolean.evals.fresh import split_disjoint, unused_seed
from retrolean.evals.runs import RunView
from retrolean.memory.workspace import Workspace
from retrolean.tools.embed_similarity import Embedder
from retrolean.tools.save_set import load_set


def cli(*argv: str) -> int:
    with pytest.raises(SystemExit) as e:
        main(list(argv))
    return int(e.value.code or 0)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, RunView, RunView]:
    """A 14-problem run (seed 7) and a fresh 14-problem set made like it."""
    workspace = tmp_path_factory.mktemp("fresh") / "ws"
    assert cli("run", "make R1 easier to prompt", "--n", "14", "--seed", "7",
               "--workspace", str(workspace)) == 0
    (like,) = (workspace / "runs").iterdir()
    assert cli("eval", "fresh-set", "--like", like.name, "--n", "14",
               "--workspace", str(workspace)) == 0
    (fresh,) = [p for p in (workspace / "runs").iterdir() if p != like]
    return workspace, RunView.open(like), RunView.open(fresh)


def test_fresh_set_reuses_the_recipe_with_the_next_unused_seed(runs):
    _, like, fresh = runs
    assert fresh.parameters["seed"] == 8 and fresh.parameters["n"] == 14
    assert fresh.plan["recipe"] == like.plan["recipe"]
    assert fresh.parameters["k"] == like.parameters["k"]
    assert fresh.language == like.language


def test_fresh_set_shares_no_combination_and_no_near_duplicate(runs):
    _, like, fresh = runs
    assert fresh.final_stage == "disjoint"
    kept = fresh.final()
    earlier = like.every_accepted()
    assert not {frozenset(r["domains"]) for r in kept} & {frozenset(r["domains"])
                                                          for r in earlier}
    embedder = Embedder()
    sims = embedder.embed([r["english"]["text"] for r in kept]) @ \
        embedder.embed([r["english"]["text"] for r in earlier if r.get("english")]).T
    assert sims.max() < 0.9


def test_fresh_figures_account_for_every_record_and_are_committed(runs):
    workspace, like, fresh = runs
    figures = json.loads((fresh.path / "fresh.json").read_text())
    conversations = load_set(fresh.path / "sets" / "conversations.jsonl")
    removed = fresh.rejected("disjoint")
    assert figures["like"] == like.run_id and figures["final"] == len(conversations)
    assert figures["kept"] + len(removed) == len(conversations) == figures["kept"] + \
        figures["removed_combination"] + figures["removed_near_duplicate"]
    message = git.Repo(workspace).head.commit.message
    assert message.startswith(f"run {fresh.run_id}: disjoint from {like.run_id}")


def test_colliding_records_are_removed_with_their_reason(runs):
    _, like, fresh = runs
    earlier = like.final()
    same_combo = {**fresh.final()[0], "id": "copy-combo", "domains": earlier[0]["domains"]}
    same_caption = {**fresh.final()[1], "id": "copy-caption",
                    "english": {**fresh.final()[1]["english"],
                                "text": earlier[1]["english"]["text"]}}
    new = fresh.final()[2]
    kept, removed, nearest = split_disjoint([same_combo, same_caption, new], earlier,
                                            like.run_id, Embedder(), 0.9)
    assert [r["id"] for r in kept] == [new["id"]] and len(nearest) == 1
    reasons = {r["id"]: r["reject"] for r in removed}
    assert reasons["copy-combo"]["kind"] == "domain combination already in the earlier run"
    assert reasons["copy-caption"]["kind"] == "near-duplicate of an earlier problem"
    assert earlier[1]["id"] in reasons["copy-caption"]["reason"]
    assert all(r["reject"]["stage"] == "disjoint" for r in removed)


def test_unused_seed_skips_every_seed_in_the_workspace(runs):
    workspace, _, _ = runs
    assert unused_seed(Workspace(workspace), 6) == 9  # 7 and 8 are taken


def test_the_earlier_runs_seed_is_refused(runs, capsys):
    workspace, like, _ = runs
    assert cli("eval", "fresh-set", "--like", like.run_id, "--n", "4", "--seed", "7",
               "--workspace", str(workspace)) == 2
    assert "pick another --seed" in capsys.readouterr().err


def test_a_small_domain_pool_forces_collisions_that_are_removed(tmp_path):
    pool = "coin_change,primes,divisibility,perfect_squares"  # only 4 combinations of 3
    workspace = str(tmp_path / "small")
    assert cli("run", "x", "--n", "4", "--seed", "1", "--domains", pool,
               "--workspace", workspace) == 0
    # 12 draws of 4 combinations: some repeat what the first run accepted and get past the
    # stages, so there is something to remove (a combination rejected at formalize is not)
    assert cli("eval", "fresh-set", "--like", "latest", "--n", "12",
               "--workspace", workspace) == 0
    # two runs in one second sort by their labels, not their order: tell them apart by role
    runs = sorted((tmp_path / "small" / "runs").iterdir(),
                  key=lambda p: (p / "fresh.json").exists())
    like, fresh = (RunView.open(p) for p in runs)
    snapshot = json.loads((fresh.path / "run.json").read_text())
    assert snapshot["options"]["domains"] == pool.split(",")  # the pool came along
    figures = json.loads((fresh.path / "fresh.json").read_text())
    assert figures["removed_combination"] >= 1
    earlier = {frozenset(r["domains"]) for r in like.every_accepted()}
    assert all(frozenset(r["domains"]) in earlier for r in fresh.rejected("disjoint"))
    assert not any(frozenset(r["domains"]) in earlier for r in fresh.final())
