"""`retrolean run GOAL`: the agent, non-interactive — the plan is approved automatically.

`--resume RUN_ID` continues a run that was stopped or killed, from its last
checkpoint. Progress is a bar per stage; a summary table closes the run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from retrolean.memory.errors import UserError

if TYPE_CHECKING:
    from rich.progress import Progress

    from retrolean.agent.runner import Session

console = Console(stderr=True)


class StageBars:
    """One progress bar per stage, live only while the stage runs (so prompts stay clean)."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.task = None

    def start(self, stage: str, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(TextColumn("{task.description:>14}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=console)
        self.progress.start()
        self.task = self.progress.add_task(stage, total=max(total, 1))
        if total == 0:
            self.progress.update(self.task, completed=1)

    def advance(self, n: int) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task, n)

    def finish(self, stage: str) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[self.task].total)
            self.progress.stop()
        self.progress = None


def summary_table(session: Session, state: dict[str, Any]) -> Table:
    """Records in/out per stage, and where the sets and rejects went."""
    ctx = session.runtime.prepared.ctx
    table = Table(title=f"run {session.run_id}  ({ctx.backend.name} backend, {ctx.language}) "
                        f"— {state.get('status', '?')}")
    for col in ("stage", "in", "out", "rejected", "attempts", "set", "rejects"):
        table.add_column(col, justify="right" if col in ("in", "out", "rejected", "attempts")
                         else "left")
    attempts = state.get("attempts") or {}
    for stage in state.get("plan", {}).get("stages", []):
        row = (state.get("rows") or {}).get(stage["name"])
        if row is None:
            table.add_row(stage["name"], "", "", "", "0", "—", "—")
            continue
        table.add_row(row["stage"], str(row["records_in"]), str(row["records_out"]),
                      str(row["rejected"]), str(attempts.get(row["stage"], 1)), row["set_path"],
                      row["rejects_path"] or "—")
    return table


def report(session: Session, state: dict[str, Any]) -> None:
    """Print the summary table and where the run lives."""
    console.print(summary_table(session, state))
    run_dir = session.runtime.run_dir
    console.print(f"run {state.get('status', '?')}: [bold]{run_dir}[/] (committed; "
                  f"report {run_dir / 'report.md'}; resume with --resume {session.run_id})")


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        goal: Annotated[str | None, typer.Argument(help="what the data is for, in plain words")
                        ] = None,
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
        budget_seconds: Annotated[float | None, typer.Option(
            help="stop cleanly (with a report) after this many seconds")] = None,
        budget_calls: Annotated[int | None, typer.Option(
            help="stop cleanly after this many (uncached) model calls")] = None,
        budget_tokens: Annotated[int | None, typer.Option(
            help="stop cleanly after this many model tokens")] = None,
        max_stage_attempts: Annotated[int | None, typer.Option(
            help="attempts per stage before moving on")] = None,
        resume_id: Annotated[str | None, typer.Option(
            "--resume", help="continue the run with this id after a stop or crash")] = None,
        model: Annotated[str | None, typer.Option(
            help="model name on the endpoint (or OPENAI_MODEL); with --base-url, every skill "
                 "runs through the model instead of the template backend")] = None,
        base_url: Annotated[str | None, typer.Option(
            help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 "
                 "(or OPENAI_BASE_URL)")] = None,
        no_cache: Annotated[bool, typer.Option(
            "--no-cache", help="call the model again even for calls already in the "
                               "workspace's model cache (answers are still stored)")] = False,
        concurrency: Annotated[int | None, typer.Option(
            help="model calls in flight at most (default 16)")] = None,
    ) -> None:
        """Run the agent toward GOAL (plan approved automatically) and write a new run."""
        from retrolean.agent.pipeline import RunOptions, prepare
        from retrolean.agent.runner import drive, resume, start
        from retrolean.agent.settings import load_settings

        settings = load_settings(recipe=recipe, workspace=workspace, formal=formal,
                                 embedding_model=embedding_model, catalog=catalog,
                                 budget_seconds=budget_seconds, budget_model_calls=budget_calls,
                                 budget_tokens=budget_tokens,
                                 max_stage_attempts=max_stage_attempts, model=model,
                                 base_url=base_url, concurrency=concurrency,
                                 use_cache=False if no_cache else None)
        if resume_id:
            session = resume(settings, resume_id)
            console.print(f"retrolean: resuming {resume_id}")
        else:
            if not goal:
                raise UserError("give a GOAL (e.g. retrolean run \"make R1 easier to prompt\") "
                                "or --resume RUN_ID")
            options = RunOptions(goal=goal, n=n, seed=seed, k=k,
                                 domains=[d.strip() for d in domains.split(",") if d.strip()]
                                 if domains else None)
            prepared = prepare(settings, options)  # every user error surfaces before output
            console.print(f"retrolean: {prepared.ctx.backend.name} backend"
                          + (f" ({prepared.ctx.backend.model})" if prepared.ctx.backend.model
                             else "")
                          + f", {prepared.ctx.language} ({prepared.why_language}), "
                          f"{len(prepared.records)} problems")
            session = start(settings, options, prepared=prepared)
        session.runtime.progress = StageBars()
        try:
            state = drive(session)
        finally:
            session.close()
        report(session, state)
