"""The `retrolean` command line: a thin layer over library functions.

Each command group is its own module with a `register(app)` function. The
root group imports a command's module only when that command is needed, and
each module imports what its commands use when they run, so `retrolean
check FILE` loads neither LangGraph nor the pipeline, and `--help` loads only
the small command modules. User errors (`UserError`, bad flags) become one
line on stderr and exit code 2; bugs stay tracebacks. `run` and `chat`
exit 3 when the run made no final records and 130 on Ctrl-C (agent/cli/run.py
says why).
"""

from __future__ import annotations

import importlib
import sys

import click
import typer
import typer.main
from typer.core import TyperGroup

from retrolean.memory.errors import UserError

COMMANDS = ("run", "chat", "doctor", "check", "verify", "domains", "runs", "traces", "sets",
            "export", "eval")
"""Commands and command groups, in help order; each is registered by the module of its name."""


class LazyCommands(TyperGroup):
    """The root group: a command's module is imported the first time the command is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            module = importlib.import_module(f"retrolean.agent.cli.{cmd_name}")
            holder = typer.Typer(pretty_exceptions_enable=False)
            holder.callback()(lambda: None)  # a group even when the module adds one command
            module.register(holder)
            self.commands.update(typer.main.get_group(holder).commands)
        return self.commands.get(cmd_name)


app = typer.Typer(
    name="retrolean",
    cls=LazyCommands,
    help="Build verified synthetic data that makes R1-style models easy to prompt.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    pass


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    try:
        rv = app(args=argv, prog_name="retrolean", standalone_mode=False)
    except UserError as e:
        _fail(str(e), 2)
    except typer.Abort:
        _fail("aborted", 130)
    except typer.TyperException as e:  # usage errors: bad flag, bad value, missing argument
        message = e.format_message() if hasattr(e, "format_message") else str(e)
        if not message:  # `retrolean` alone has printed its help
            sys.exit(getattr(e, "exit_code", 2))
        _fail(" ".join(message.split()), getattr(e, "exit_code", 2))
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    sys.exit(rv if isinstance(rv, int) else 0)


def _fail(message: str, code: int) -> None:
    print(f"retrolean: error: {message}", file=sys.stderr)
    sys.exit(code)
