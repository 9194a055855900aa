"""Runs at a glance as rich renderables: the runs table, one run's detail, traces by score.

Built from `RunSummary` objects, printed by the CLI. A run whose files could
not be read shows its problem in place of figures rather than disappearing.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from retrolean.traces.summary import RunSummary


def _date(created: str) -> str:
    return created[:19].replace("T", " ") if created else "—"


def _rating(s: RunSummary) -> Text:
    if s.rating is None:
        return Text("—", style="dim")
    return Text(s.rating.label, style="bold green" if s.rating.label == "good" else "bold red")


def runs_table(summaries: list[RunSummary], title: str = "runs") -> Table:
    """One row per run: id, goal, backend, model, date, yield, rating."""
    table = Table(title=f"{title} ({len(summaries)})")
    for col in ("run", "goal", "backend", "model", "date", "yield", "rating"):
        table.add_column(col, overflow="fold")
    for s in summaries:
        yields = (Text("unreadable (see runs show)", style="red") if s.problem
                  else Text(s.yields_text))
        if s.torn:
            yields.append(" (cut off)", style="red")
        table.add_row(s.run_id, s.goal, s.backend, s.model, _date(s.created), yields,
                      _rating(s))
    return table


def traces_table(summaries: list[RunSummary]) -> Table:
    """One row per trace: score, its parts, blocks, errors, rating."""
    table = Table(title=f"traces ({len(summaries)})")
    for col in ("score", "run", "yield", "expect.", "blocks", "errors", "rating", "goal"):
        table.add_column(col, justify="right" if col in ("score", "blocks", "errors") else "left",
                         overflow="fold")
    for s in summaries:
        if s.score is None:
            table.add_row("—", s.run_id, Text("unreadable", style="red"), "", "", "",
                          _rating(s), s.goal)
            continue
        exp = s.score.parts.get("expectations")
        table.add_row(f"{s.score.total:.3f}", s.run_id, s.yields_text,
                      f"{exp:.2f}" if exp is not None else "—", str(s.blocks), str(s.errors),
                      _rating(s), s.goal)
    return table


def run_detail(s: RunSummary) -> RenderableType:
    """Plan, stages with yields, sets on disk, rating and score of one run."""
    plan, params = s.plan, s.plan.get("parameters", {})
    head = Text()
    head.append(f"run {s.run_id}\n", style="bold")
    head.append(f"goal: {s.goal}\n")
    head.append(f"recipe {plan.get('recipe', '?')} (plan source: {plan.get('source', '?')}); "
                f"backend {s.backend}, model {s.model}, language {plan.get('language', '?')}\n")
    head.append(f"n = {params.get('n', '?')}, k = {params.get('k', '?')}, seed = "
                f"{params.get('seed', '?')}; thresholds: "
                + ", ".join(f"{k} {v}" for k, v in plan.get("thresholds", {}).items()) + "\n")
    head.append(f"created {_date(s.created)}; {s.blocks} trace blocks, {s.errors} errors; "
                f"final yield {s.yields_text}\n")
    head.append("rating: ")
    head.append_text(_rating(s))
    if s.rating and s.rating.note:
        head.append(f" — {s.rating.note}")
    if s.score:
        head.append(f"\nscore: {s.score.explain()}")
    if s.problem:
        head.append(f"\nproblem: {s.problem}", style="bold red")
    if s.torn:
        head.append("\nthe trace's last line was half-written: the run was cut off",
                    style="bold red")
    counts = {y.stage: y for y in s.stages}
    table = Table(title="stages")
    for col in ("stage", "skill", "in", "out", "yield", "set", "expectation"):
        table.add_column(col, justify="right" if col in ("in", "out", "yield") else "left",
                         overflow="fold")
    for stage in plan.get("stages", []):
        name = stage.get("name", "?")
        y = counts.get(name)
        sets = [n for n in s.sets if n in (name, f"{name}.rejects")]
        table.add_row(name, stage.get("skill", ""), str(y.records_in) if y else "—",
                      str(y.records_out) if y else "—", f"{y.yield_pct:.0f}%" if y else "—",
                      ", ".join(f"sets/{n}.jsonl" for n in sets) or "—",
                      stage.get("expectation", ""))
    return Group(head, table, Text(f"files: {s.path}", style="dim"))
