"""`retrolean traces show|html|rate|list`: read, export to HTML, label and rank run traces."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from retrolean.agent.cli.runs import WorkspaceOption, workspace_at
from retrolean.memory.errors import UserError
from retrolean.traces.golden import RATING_FILTERS

console = Console()
err = Console(stderr=True)

RunArgument = Annotated[str, typer.Argument(help="run id, unique part of one, or latest")]


def register(app: typer.Typer) -> None:
    traces_app = typer.Typer(help="Read, export, rate and rank the traces of runs.",
                             no_args_is_help=True)
    app.add_typer(traces_app, name="traces")

    @traces_app.command("show")
    def show(
        run: RunArgument,
        type: Annotated[list[str] | None, typer.Option(
            "--type", help="only blocks of this type (repeat or comma-separate)")] = None,
        stage: Annotated[list[str] | None, typer.Option(
            "--stage", help="only blocks of this stage (repeat or comma-separate)")] = None,
        full: Annotated[bool, typer.Option("--full", help="whole bodies and data")] = False,
        workspace: WorkspaceOption = None,
    ) -> None:
        """The trace as a timeline: type, stage, time, tokens and (folded) body of each block."""
        from retrolean.memory.runs import resolve_run
        from retrolean.traces.reader import load_trace
        from retrolean.traces.viewer import timeline

        ws = workspace_at(workspace)
        trace = load_trace(ws.run_dir(resolve_run(ws, run)))
        console.print(timeline(trace, type, stage, full))

    @traces_app.command("html")
    def html(
        run: RunArgument,
        out: Annotated[Path | None, typer.Option(
            help="HTML file to write (default: ./<run-id>.html)")] = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Write the trace as one self-contained HTML page (opens in a browser, no server)."""
        from retrolean.memory.atomic import write_text_atomic
        from retrolean.memory.ratings import read_rating
        from retrolean.memory.runs import resolve_run
        from retrolean.traces.html import trace_html
        from retrolean.traces.reader import load_trace
        from retrolean.traces.score import score_trace

        ws = workspace_at(workspace)
        run_id = resolve_run(ws, run)
        trace = load_trace(ws.run_dir(run_id))
        rating = read_rating(ws.run_dir(run_id))
        path = out or Path(f"{run_id}.html")
        if path.is_dir():
            raise UserError(f"--out {path} is a directory; give a file name")
        write_text_atomic(path, trace_html(trace, score_trace(
            trace.blocks, rating.label if rating else None)))
        for warning in trace.warnings():
            err.print(f"warning: {warning}")
        console.print(f"wrote {path} ({len(trace.blocks)} blocks)")

    @traces_app.command("rate")
    def rate(
        run: RunArgument,
        label: Annotated[str, typer.Argument(help="good or bad")],
        note: Annotated[str | None, typer.Option(help="why, in a few words")] = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Label a run's trace good or bad; the rating is committed to the workspace."""
        from retrolean.memory.ratings import parse_label, save_rating
        from retrolean.memory.runs import resolve_run
        from retrolean.traces.summary import summarize_run

        ws = workspace_at(workspace)
        run_id = resolve_run(ws, run)
        rating = save_rating(ws, run_id, parse_label(label), note)
        summary = summarize_run(ws, run_id)
        score = f"; score now {summary.score.total:.3f}" if summary.score else ""
        console.print(f"rated {run_id} {rating.label}{score} (committed)")

    @traces_app.command("list")
    def list_traces(
        sort: Annotated[str, typer.Option(help="score (best first) or date")] = "score",
        rating: Annotated[str, typer.Option(
            help=f"only {' | '.join(RATING_FILTERS)} traces")] = "any",
        workspace: WorkspaceOption = None,
    ) -> None:
        """Traces with their scores (see README: Trace scores)."""
        from retrolean.traces.runs_view import traces_table
        from retrolean.traces.summary import summarize_runs

        if rating not in RATING_FILTERS:
            raise UserError(f"--rating must be one of {', '.join(RATING_FILTERS)} "
                            f"(got {rating!r})")
        rows = summarize_runs(workspace_at(workspace), sort)
        if rating == "unrated":
            rows = [s for s in rows if s.rating is None]
        elif rating != "any":
            rows = [s for s in rows if s.rating and s.rating.label == rating]
        console.print(traces_table(rows))
