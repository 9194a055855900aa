"""`retrolean run GOAL`: run the recipe non-interactively, with progress and a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent.pipeline import RunOptions, RunResult, execute, prepare
from agent.settings import load_settings

console = Console(stderr=True)


class RichProgress:
    """One progress bar per stage."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = None

    def start(self, stage: str, total: int) -> None:
        self.task = self.progress.add_task(stage, total=max(total, 1))
        if total == 0:
            self.progress.update(self.task, completed=1)

    def advance(self, n: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)

    def finish(self, stage: str) -> None:
        if self.task is not None:
            task = self.progress.tasks[self.task]
            self.progress.update(self.task, completed=task.total)


def summary_table(result: RunResult) -> Table:
    """Records in/out per stage, and where the sets and rejects went."""
    table = Table(title=f"run {result.run_id}  ({result.backend} backend, {result.language})")
    for col in ("stage", "in", "out", "rejected", "set", "rejects"):
        table.add_column(col, justify="right" if col in ("in", "out", "rejected") else "left")
    for r in result.rows:
        table.add_row(r.stage, str(r.records_in), str(r.records_out), str(r.rejected),
                      r.set_path, r.rejects_path or "—")
    return table


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        goal: Annotated[str, typer.Argument(help="what the data is for, in plain words")],
        n: Annotated[int | None, typer.Option("--n", help="problems to sample")] = None,
        seed: Annotated[int | None, typer.Option(help="random seed")] = None,
        k: Annotated[int | None, typer.Option("--k", help="domains per problem")] = None,
        recipe: Annotated[str | None, typer.Option(help="recipe name or YAML path")] = None,
        workspace: Annotated[Path | None, typer.Option(help="workspace git repository")] = None,
        formal: Annotated[str | None, typer.Option(help="auto | smtlib2 | lean4")] = None,
        domains: Annotated[str | None, typer.Option(
            help="comma-separated domain ids to sample from")] = None,
        embedding_model: Annotated[str | None, typer.Option(
            help="sentence-transformers model name or path")] = None,
        catalog: Annotated[Path | None, typer.Option(
            help="directory overriding catalog files (domains/, personas.yaml, …)")] = None,
    ) -> None:
        """Run the recipe toward GOAL and write a new run into the workspace."""
        overrides = {"recipe": recipe, "workspace": workspace, "formal": formal,
                     "embedding_model": embedding_model, "catalog": catalog}
        settings = load_settings(**overrides)
        options = RunOptions(goal=goal, n=n, seed=seed, k=k,
                             domains=[d.strip() for d in domains.split(",") if d.strip()]
                             if domains else None)
        prepared = prepare(settings, options)  # every user error surfaces before any output
        console.print(f"retrolean: {prepared.ctx.backend.name} backend, "
                      f"{prepared.ctx.language} ({prepared.why_language}), "
                      f"{len(prepared.records)} problems")
        with Progress(TextColumn("{task.description:>14}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=False) as bar:
            result = execute(prepared, RichProgress(bar))
        console.print(summary_table(result))
        console.print(f"run written to [bold]{result.path}[/] (committed) in "
                      f"{result.seconds:.1f} s; report: {result.path / 'report.md'}")
