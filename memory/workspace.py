"""The workspace: one git repository holding every run, committed as runs go.

Layout: `runs/<run-id>/` with `plan.json`, `trace.jsonl`, `sets/*.jsonl` and
`report.md`; `lessons.md` at the top for the planner. Commits are made with a
fixed author so they work on machines with no git identity configured.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import git

from retrolean.memory.errors import UserError

log = logging.getLogger(__name__)

AUTHOR = git.Actor("retrolean", "retrolean@localhost")
MARKER = ".retrolean-workspace"
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
    if root.exists() and any(root.iterdir()) and not is_workspace(root):
        raise UserError(
            f"workspace path {root} is a non-empty directory that is not a retrolean "
            "workspace (no .git with a retrolean marker); pick an empty or new directory"
        )
    return root.resolve()


def is_workspace(root: Path) -> bool:
    """Whether a directory is a retrolean workspace (its marker file is there)."""
    return (root / MARKER).is_file() and (root / ".git").exists()


# Suffixes handed out by this process, so two ids drawn before either run exists differ.
_ISSUED_SUFFIXES: set[str] = set()

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
        (self.root / MARKER).write_text("1\n", encoding="utf-8")
        repo.index.add(["README.md", ".gitignore", MARKER])
        repo.index.commit("workspace: initialise", author=AUTHOR, committer=AUTHOR)
        log.info("initialised workspace %s", self.root)
        return repo

    def new_run_id(self, label: str = "") -> str:
        """A fresh, sortable run id: UTC time, an optional label, a random suffix that no run
        of this workspace and no id issued before in this process ends with (so the last four
        characters name a run)."""
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        slug = "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")[:24]
        runs = self.root / "runs"
        taken = {p.name[-4:] for p in runs.iterdir()} if runs.is_dir() else set()
        taken |= _ISSUED_SUFFIXES
        suffix = secrets.token_hex(2)
        while suffix in taken and len(taken) < 0x10000:
            suffix = secrets.token_hex(2)
        _ISSUED_SUFFIXES.add(suffix)
        return "-".join(p for p in (stamp, slug, suffix) if p)

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
        targets = ["."] if paths is None else [str(p.relative_to(self.root)) for p in paths]
        env = {"GIT_AUTHOR_NAME": AUTHOR.name, "GIT_AUTHOR_EMAIL": AUTHOR.email,
               "GIT_COMMITTER_NAME": AUTHOR.name, "GIT_COMMITTER_EMAIL": AUTHOR.email}
        with self._writer_lock():
            repo.git.add("--all", "--", *targets)
            if not repo.git.diff("--cached", "--name-only", "--", *targets).strip():
                return None
            # `--only -- paths`: commit these paths alone, whatever else may be staged
            with repo.git.custom_environment(**env):
                repo.git.commit("--only", "--quiet", "--no-verify", "-m", message, "--", *targets)
        return repo.head.commit.hexsha

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        """Serialise retrolean's git writes; a git index lock left by a killed writer is stale.

        Every retrolean process takes this lock before touching the index, so while we hold
        it an existing `.git/index.lock` can only belong to a writer that died (kill -9
        mid-commit) and is removed.
        """
        with (self.root / ".git" / "retrolean.lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                stale = self.root / ".git" / "index.lock"
                if stale.exists():
                    log.warning("removing stale %s left by an interrupted commit", stale)
                    stale.unlink(missing_ok=True)
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def runs(self) -> list[str]:
        """Ids of the runs in the workspace, oldest first."""
        base = self.root / "runs"
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
