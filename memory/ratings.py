"""Human ratings of runs: `runs/<run-id>/rating.json`, committed to the workspace.

One label per run (`good` or `bad`) with an optional note. The file lives in
the run's own directory, so a run copied elsewhere keeps its rating; rating
again replaces it, and git keeps the earlier labels in the history. The
trade-off: one rater's view per run, not a vote.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from retrolean.memory.atomic import write_text_atomic
from retrolean.memory.errors import UserError
from retrolean.memory.workspace import Workspace

Label = Literal["good", "bad"]
LABELS: tuple[str, ...] = ("good", "bad")
FILENAME = "rating.json"


class Rating(BaseModel):
    """A person's label for one run."""

    model_config = ConfigDict(extra="forbid")

    label: Label
    note: str | None = None
    rated_at: str


def parse_label(text: str) -> Label:
    """`good` or `bad` from what the user typed; UserError for anything else."""
    label = text.strip().lower()
    if label not in LABELS:
        raise UserError(f"rating must be good or bad (got {text!r})")
    return label  # type: ignore[return-value]


def read_rating(run_dir: Path) -> Rating | None:
    """The run's rating, or None when nobody has rated it."""
    path = run_dir / FILENAME
    if not path.is_file():
        return None
    try:
        return Rating.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, ValidationError) as e:
        raise UserError(f"{path} is damaged ({type(e).__name__}); rate the run again to "
                        "replace it") from e


def save_rating(ws: Workspace, run_id: str, label: Label, note: str | None = None) -> Rating:
    """Write the run's rating and commit it; return what was stored."""
    run_dir = ws.run_dir(run_id)
    if not run_dir.is_dir():
        raise UserError(f"unknown run {run_id!r}")
    rating = Rating(label=label, note=note or None,
                    rated_at=datetime.now(UTC).isoformat(timespec="seconds"))
    path = run_dir / FILENAME
    write_text_atomic(path, rating.model_dump_json(indent=2) + "\n")
    ws.commit(f"run {run_id}: rated {label}" + (f" ({note})" if note else ""), [path])
    return rating
