"""`retrolean runs [list|show RUN]`: browse the runs in the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from retrolean.memory.workspace import Workspace

console = Console()

WorkspaceOption = Annotated[Path | None, typer.Option(help="workspace git repository")]


def workspace_at(path: Path | None) -> Workspace:
    """The workspace from --workspace or the settings; UserError if it holds no runs."""
    from retrolean.agent.settings import load_settings
    from retrolean.memory.runs import open_workspace

    return open_workspace(load_settings(workspace=path).workspace)


def register(app: typer.Typer) -> None:
    runs_app = typer.Typer(help="Browse the runs in the workspace.", no_args_is_help=False,
                           invoke_without_command=True)
    app.add_typer(runs_app, name="runs")

    @runs_app.callback(invoke_without_command=True)
    def default(ctx: typer.Context, workspace: WorkspaceOption = None) -> None:
        """List the runs (same as `runs list`)."""
        if ctx.invoked_subcommand is None:
            list_runs(workspace=workspace)

    @runs_app.command("list")
    def list_runs(
        workspace: WorkspaceOption = None,
        sort: Annotated[str, typer.Option(help="date (newest first) or score")] = "date",
    ) -> None:
        """One line per run: id, goal, backend, model, date, yield, rating."""
        from retrolean.traces.runs_view import runs_table
        from retrolean.traces.summary import summarize_runs

        ws = workspace_at(workspace)
        console.print(runs_table(summarize_runs(ws, sort), title=f"runs in {ws.root}"))

    @runs_app.command("show")
    def show(
        run: Annotated[str, typer.Argument(help="run id, unique part of one, or latest")],
        workspace: WorkspaceOption = None,
    ) -> None:
        """The run's plan, stages with yields, where its sets are, its rating and score."""
        from retrolean.memory.runs import resolve_run
        from retrolean.traces.runs_view import run_detail
        from retrolean.traces.summary import summarize_run

        ws = workspace_at(workspace)
        console.print(run_detail(summarize_run(ws, resolve_run(ws, run))))
