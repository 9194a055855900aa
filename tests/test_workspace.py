"""The workspace: a git repository that refuses paths it cannot use and commits what it holds."""

from __future__ import annotations

import git
import pytest

from retrolean.memory.errors import UserError
from retrolean.memory.workspace import Workspace


def test_first_use_initialises_a_repository_with_one_commit(tmp_path):
    ws = Workspace(tmp_path / "ws")
    run = ws.create_run("r1")
    assert run.is_dir() and (run / "sets").is_dir()
    repo = git.Repo(tmp_path / "ws")
    assert [c.message for c in repo.iter_commits()] == ["workspace: initialise"]


def test_commit_records_the_run_and_skips_empty_commits(tmp_path):
    ws = Workspace(tmp_path / "ws")
    run = ws.create_run("r1")
    (run / "plan.json").write_text("{}")
    assert ws.commit("run r1: plan", [run]) is not None
    assert ws.commit("run r1: nothing new", [run]) is None
    assert "runs/r1/plan.json" in git.Repo(ws.root).git.ls_files()


def test_a_file_is_not_a_workspace(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(UserError, match="is a file"):
        Workspace(path)


def test_a_foreign_non_empty_directory_is_refused(tmp_path):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="not a retrolean workspace"):
        Workspace(tmp_path / "stuff")


def test_run_ids_are_unique_and_sortable(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ids = [ws.new_run_id("make R1 easier") for _ in range(400)]  # 4 hex digits: 65,536 suffixes
    assert len({i[-4:] for i in ids}) == 400 and all(i[:8].isdigit() for i in ids)


def test_someone_elses_git_repository_is_not_a_workspace(tmp_path):
    repo = git.Repo.init(tmp_path / "project")
    (tmp_path / "project" / "code.py").write_text("x = 1\n")
    repo.index.add(["code.py"])
    with pytest.raises(UserError, match="not a retrolean workspace"):
        Workspace(tmp_path / "project")


def test_commit_takes_only_the_given_paths(tmp_path):
    ws = Workspace(tmp_path / "ws")
    run = ws.create_run("r1")
    (run / "plan.json").write_text("{}")
    (ws.root / "notes.txt").write_text("private")
    ws.repo.index.add(["notes.txt"])  # staged by someone else
    ws.commit("run r1: plan", [run])
    files = ws.repo.git.show("--name-only", "--format=", "HEAD").split()
    assert files == ["runs/r1/plan.json"]
    assert Workspace(tmp_path / "ws").runs() == ["r1"]  # reopening a workspace works


def test_a_commit_after_a_writer_was_killed_mid_commit(tmp_path):
    ws = Workspace(tmp_path / "ws")
    run = ws.create_run("r1")
    (run / "plan.json").write_text("{}")
    (ws.root / ".git" / "index.lock").write_text("")  # what a kill -9 during `git commit` leaves
    assert ws.commit("run r1: plan", [run]) is not None
