"""A finished run as the evaluations read it: its plan, its sets per stage, its final set.

Runs are named on the command line as everywhere else, or by a path to the
run directory (`memory.runs.locate_run` finds it). Sets
are read once and kept. Trade-off: sets are plain dicts (as `load_set` gives
them), not `Record`s, so a report can read sets written by an older schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrolean.memory.errors import UserError
from retrolean.memory.languages import FormalLanguage
from retrolean.tools.save_set import load_set

DISJOINT = "disjoint"  # the extra set `eval fresh-set` writes after a run's own stages


@dataclass
class RunView:
    """Read-only access to one run directory."""

    path: Path
    plan: dict[str, Any]
    _sets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> RunView:
        """The run at `path`; UserError when it has no readable plan.json."""
        try:
            plan = json.loads((path / "plan.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise UserError(f"{path} is not a finished run (plan.json unreadable: {e})") from e
        return cls(path=path, plan=plan)

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def language(self) -> FormalLanguage:
        return FormalLanguage(self.plan.get("language", "smtlib2"))

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(self.plan.get("thresholds", {}))

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.plan.get("parameters", {}))

    @property
    def stages(self) -> list[str]:
        """The plan's stages in order, plus `disjoint` when a fresh-set check wrote one."""
        names = [s["name"] for s in self.plan.get("stages", [])]
        if (self.path / "sets" / f"{DISJOINT}.jsonl").is_file():
            names.append(DISJOINT)
        return names

    @property
    def final_stage(self) -> str:
        """The stage whose accepted set is the run's product: the last one that wrote a set
        (a run stopped by its budget ends early)."""
        stages = self.stages
        if not stages:
            raise UserError(f"run {self.run_id} has no stages in its plan.json")
        written = [s for s in stages if (self.path / "sets" / f"{s}.jsonl").is_file()]
        return written[-1] if written else stages[-1]

    def accepted(self, stage: str) -> list[dict[str, Any]]:
        """Records that passed `stage` (empty when the stage wrote no set)."""
        return self._load(f"{stage}.jsonl")

    def rejected(self, stage: str) -> list[dict[str, Any]]:
        """Records that `stage` rejected, each with its `reject` reason."""
        return self._load(f"{stage}.rejects.jsonl")

    def final(self) -> list[dict[str, Any]]:
        """The run's final set."""
        return self.accepted(self.final_stage)

    def every_accepted(self) -> list[dict[str, Any]]:
        """Every record any stage accepted, each in its latest (most complete) form."""
        latest: dict[str, dict[str, Any]] = {}
        for stage in self.stages:
            for record in self.accepted(stage):
                latest[record["id"]] = record
        return list(latest.values())

    def _load(self, name: str) -> list[dict[str, Any]]:
        if name not in self._sets:
            path = self.path / "sets" / name
            self._sets[name] = load_set(path) if path.is_file() else []
        return self._sets[name]
