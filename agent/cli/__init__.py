"""The `retrolean` command line: a thin layer over library functions.

Each command group is its own module with a `register(app)` function. User
errors (`UserError`, bad flags) become one line on stderr and exit code 2;
bugs stay tracebacks. `run` and `chat` exit 3 when the run made no final
records and 130 on Ctrl-C (agent/cli/run.py says why).
"""

from __future__ import annotations

import sys

import typer

from retrolean.agent.cli import chat, check, doctor, domains, export, run, runs, sets, traces
from retrolean.agent.cli import eval as eval_commands
from retrolean.memory.errors import UserError

app = typer.Typer(
    name="retrolean",
    help="Build verified synthetic data that makes R1-style models easy to prompt.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for module in (run, chat, domains, doctor, check, runs, traces, sets, export, eval_commands):
    module.register(app)


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
