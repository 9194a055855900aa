"""`eval compare`: two evaluation reports side by side, headline by headline, with deltas.

Reads the `eval.json` that `eval report` wrote for each run (a run reference
or a path to an eval.json); it does not measure anything itself, so it is
instant and needs no embedding model. Trade-off: only the flat headline is
compared; the full distributions are in each run's report.html.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from retrolean.evals.report_schema import EVAL_DIR, EvalReport, load_report
from retrolean.memory.errors import UserError
from retrolean.memory.runs import locate_run
from retrolean.memory.workspace import Workspace


class CompareRow(BaseModel):
    """One headline measure in both reports; delta is b − a where both are numbers."""

    measure: str
    a: float | int | None
    b: float | int | None
    delta: float | None


def find_report(workspace: Workspace, ref: str) -> EvalReport:
    """The eval report of a run reference, or of an eval.json path; UserError if none yet."""
    path = Path(ref).expanduser()
    if path.is_file() and path.suffix == ".json":
        return load_report(path)
    run_dir = locate_run(workspace, ref)
    path = run_dir / EVAL_DIR / "eval.json"
    if not path.is_file():
        raise UserError(f"run {run_dir.name} has no evaluation yet; run "
                        f"`retrolean eval report {run_dir.name}` first")
    return load_report(path)


def compare_reports(a: EvalReport, b: EvalReport) -> list[CompareRow]:
    """Every headline measure of either report, in a's order then b's extras."""
    rows = []
    for key in dict.fromkeys([*a.headline, *b.headline]):
        va, vb = a.headline.get(key), b.headline.get(key)
        delta = round(vb - va, 4) if va is not None and vb is not None else None
        rows.append(CompareRow(measure=key, a=va, b=vb, delta=delta))
    return rows
