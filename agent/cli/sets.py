"""`retrolean sets show RUN [SET] [--id ID]`: the sets of a run, a set's records, one record."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from retrolean.agent.cli.runs import WorkspaceOption, workspace_at
from retrolean.agent.cli.traces import RunArgument
from retrolean.memory.errors import UserError

console = Console()


def register(app: typer.Typer) -> None:
    sets_app = typer.Typer(help="Read the sets a run wrote.", no_args_is_help=True)
    app.add_typer(sets_app, name="sets")

    @sets_app.command("show")
    def show(
        run: RunArgument,
        set_name: Annotated[str | None, typer.Argument(
            metavar="[SET]", help="stage name, or STAGE.rejects; default: all sets")] = None,
        record_id: Annotated[str | None, typer.Option(
            "--id", help="show this record (id or unique prefix) in full")] = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Without SET: the run's sets. With SET: its records. With --id: one record in full."""
        from retrolean.agent.cli.record_view import find_record, record_view, set_table
        from retrolean.memory.runs import resolve_run, set_names, set_path
        from retrolean.tools.save_set import load_set

        ws = workspace_at(workspace)
        run_dir = ws.run_dir(resolve_run(ws, run))
        if record_id is not None:
            names = [set_name] if set_name else list(reversed(set_names(run_dir)))
            for name in names:
                records = load_set(set_path(run_dir, name))
                if any(str(r.get("id", "")).startswith(record_id) for r in records):
                    console.print(f"[dim]from set {name}[/]")
                    console.print(record_view(find_record(records, record_id)))
                    return
            where = f"set {set_name}" if set_name else "any set"
            raise UserError(f"no record {record_id!r} in {where} of run {run_dir.name}; "
                            f"`retrolean sets show {run_dir.name} SET` lists ids")
        if set_name:
            console.print(set_table(set_name, load_set(set_path(run_dir, set_name))))
            return
        names = set_names(run_dir)
        if not names:
            set_path(run_dir, "conversations")  # raises the "no sets yet" message
        table = Table(title=f"sets of run {run_dir.name}")
        for col in ("set", "records", "file"):
            table.add_column(col)
        for name in names:
            path = set_path(run_dir, name)
            table.add_row(name, str(len(load_set(path))), str(path.relative_to(run_dir)))
        console.print(table)
