"""The workspace: one git repository holding every run, committed as runs go.

Layout: `runs/<run-id>/` with `plan.json`, `trace.jsonl`, `sets/*.jsonl` and
`report.md`; `lessons.md` at the top for the planner. Commits are made with a
fixed author so they work on machines with no git identity configured.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

import git

from memory.errors import UserError

log = logging.getLogger(__name__)

AUTHOR = git.Actor("retrolean", "retrolean@localhost")
_README = """# retrolean workspace

Every run of retrolean lives in `runs/<run-id>/`: `plan.json`, `trace.jsonl`,
`sets/*.jsonl` (accepted records; `*.rejects.jsonl` beside them) and `report.md`.
Each stage of a run is one commit.
"""


def check_workspace_path(root: Path) -> Path:
    """The resolved workspace path; UserError if it cannot be one. Writes nothing."""
    root = root.expanduser()
    if root.exists() and not root.is_dir():
        raise UserError(
            f"workspace path {root} is a file, not a directory; pick another --workspace")
    parent = next((p for p in [root, *root.parents] if p.exists()), None)
    if parent is None or not parent.is_dir():
        raise UserError(f"workspace path {root} cannot be created: {parent} is not a directory")
    if not os.access(parent, os.W_OK):
        raise UserError(f"workspace path {root} is not writable; pick another --workspace")
    foreign = root.exists() and any(root.iterdir()) and not (root / ".git").exists()
    if foreign and not (root / "runs").is_dir():
        raise UserError(
            f"workspace path {root} is a non-empty directory that is not a retrolean "
            "workspace; pick an empty or new directory"
        )
    return root.resolve()


class Workspace:
    """A git repository of runs."""

    def __init__(self, root: Path) -> None:
        self.root = check_workspace_path(root)
        self._repo: git.Repo | None = None

    @property
    def repo(self) -> git.Repo:
        if self._repo is None:
            self._repo = self._open_or_init()
        return self._repo

    def _open_or_init(self) -> git.Repo:
        if (self.root / ".git").exists():
            try:
                return git.Repo(self.root)
            except git.InvalidGitRepositoryError as e:
                raise UserError(f"workspace {self.root} has a broken .git; move it aside") from e
        self.root.mkdir(parents=True, exist_ok=True)
        repo = git.Repo.init(self.root)
        (self.root / "README.md").write_text(_README, encoding="utf-8")
        (self.root / ".gitignore").write_text("*.sqlite*\n.tmp-*\n", encoding="utf-8")
        repo.index.add(["README.md", ".gitignore"])
        repo.index.commit("workspace: initialise", author=AUTHOR, committer=AUTHOR)
        log.info("initialised workspace %s", self.root)
        return repo

    def new_run_id(self, label: str = "") -> str:
        """A fresh, sortable run id: UTC time, an optional label, a random suffix."""
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        slug = "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")[:24]
        parts = [stamp, slug, secrets.token_hex(2)]
        return "-".join(p for p in parts if p)

    def run_dir(self, run_id: str) -> Path:
        """The directory of a run (not created)."""
        return self.root / "runs" / run_id

    def create_run(self, run_id: str) -> Path:
        """Create the run's directory (and the repository on first use)."""
        _ = self.repo
        path = self.run_dir(run_id)
        (path / "sets").mkdir(parents=True, exist_ok=False)
        return path

    def commit(self, message: str, paths: list[Path] | None = None) -> str | None:
        """Commit the given paths (default: everything); None when nothing changed."""
        repo = self.repo
        if paths is None:
            repo.git.add(A=True)
        else:
            repo.git.add("--all", "--", *[str(p.relative_to(self.root)) for p in paths])
        if repo.head.is_valid() and not repo.index.diff("HEAD"):
            return None
        commit = repo.index.commit(message, author=AUTHOR, committer=AUTHOR)
        return commit.hexsha

    def runs(self) -> list[str]:
        """Ids of the runs in the workspace, oldest first."""
        base = self.root / "runs"
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
