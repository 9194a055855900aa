"""What the nodes work with besides state: the prepared run, trace, workspace, UI hooks.

The UI hooks are `progress` (a bar per stage) and `notify` (a line for the user's
screen: what an edit applied, a retry, why the run stopped); both do nothing by
default, so library use and tests stay quiet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from retrolean.agent.graph.decide import Budget
from retrolean.agent.graph.planner import Revision
from retrolean.agent.pipeline import PreparedRun
from retrolean.recipes.backends.calls import CallTotals
from retrolean.recipes.recipe import Parameters
from retrolean.traces.writer import TraceWriter


class Progress(Protocol):
    def start(self, stage: str, total: int) -> None: ...
    def advance(self, n: int) -> None: ...
    def finish(self, stage: str) -> None: ...


class NoProgress:
    """Progress that shows nothing (library use, tests)."""

    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def finish(self, stage: str) -> None:
        pass


class Planner(Protocol):
    """Writes and revises plans (the model planner, agent/graph/planner.py)."""

    def __call__(self, goal: str, current: dict[str, Any], feedback: str, *,
                 lessons: str = "") -> dict[str, Any] | None:
        """A plan for the goal (`feedback`: why the current one is replaced), or None."""
        ...

    def revise(self, goal: str, plan: dict[str, Any], words: str, parameters: Parameters, *,
               keep: Sequence[str] = ()) -> Revision | None:
        """The plan and parameters as the user's words ask (stages `keep` stay first)."""
        ...

    def take_spent(self) -> CallTotals:
        """The totals of its model calls since the last take."""
        ...


@dataclass
class Runtime:
    """Everything a node needs besides the state."""

    prepared: PreparedRun
    run_id: str
    run_dir: Path
    trace: TraceWriter
    budget: Budget
    interactive: bool = False
    progress: Progress = field(default_factory=NoProgress)
    planner: Planner | None = None  # a model planner; None on the template backend
    lessons_path: Path | None = None
    notify: Callable[[str], None] = field(default=lambda line: None)  # a line for the screen

    @property
    def workspace(self):  # noqa: ANN201 - Workspace; avoids an import cycle in annotations
        return self.prepared.workspace

    def commit(self, message: str) -> None:
        """Commit the run directory (and the lessons file) with a message naming the run."""
        paths = [self.run_dir] + ([self.lessons_path] if self.lessons_path and
                                  self.lessons_path.exists() else [])
        self.workspace.commit(f"run {self.run_id}: {message}", paths)
