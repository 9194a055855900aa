"""`retrolean check FILE [--formal lean4|smtlib2]`: screen and check one formal file by hand.

The language comes from `--formal` or the extension (.lean, .smt2). Both
languages are screened first, so a refused Lean file is reported even where
Lean is not installed, and a refused SMT-LIB file never reaches Z3. Exit 0
when the file checks, 1 when it is refused or rejected (the reason is
printed), 2 on bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from retrolean.memory.errors import UserError
from retrolean.memory.languages import FormalLanguage

if TYPE_CHECKING:
    from retrolean.agent.settings import Settings
    from retrolean.tools.lean_check import LeanConfig
    from retrolean.tools.verdict import Verdict

LANGUAGES = {".lean": FormalLanguage.LEAN4, ".smt2": FormalLanguage.SMTLIB2}


def _language(path: Path, formal: str | None) -> FormalLanguage:
    if formal is not None:
        if formal not in LANGUAGES.values():
            raise UserError(f"unknown formal language {formal!r}; use --formal lean4 or smtlib2")
        return FormalLanguage(formal)
    language = LANGUAGES.get(path.suffix.lower())
    if language is None:
        raise UserError(f"cannot tell the language of {path.name}: name it .lean or .smt2, "
                        "or pass --formal lean4|smtlib2")
    return language


def _read(path: Path) -> str:
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    try:  # bytes as they are: no newline translation, so the screen sees what a checker reads
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"cannot read {path} as UTF-8 text: {e}") from e


def check_lean(text: str, settings: Settings) -> Verdict:
    """Screen, then (if Lean is installed) check a Lean 4 text with the configured Lean."""
    from retrolean.tools.lean_check import SCREEN_CHECKER, LeanConfig, lean_check, screen
    from retrolean.tools.verdict import Verdict

    config = LeanConfig.from_settings(settings)
    screened = screen(text, config.screen)
    if not screened.ok:
        return Verdict(ok=False, status="refused", checker=SCREEN_CHECKER, screen=SCREEN_CHECKER,
                       reason=screened.reason)
    info = _lean_missing(config)
    if info:
        raise UserError(info)
    return lean_check(text, config=config)


def _lean_missing(config: LeanConfig) -> str:
    from retrolean.tools.lean_check.process import resolve

    cwd = config.project.expanduser() if config.project else Path.cwd()
    try:
        resolve(config.executable, cwd)
        if config.project is not None:
            resolve(config.lake, cwd)
    except FileNotFoundError as e:
        return f"Lean is not available ({e}); install it, set RETROLEAN_LEAN, or use .smt2"
    return ""


def print_verdict(console: Console, verdict: Verdict) -> None:
    """The verdict line, its witness, and a table of the checker's messages."""
    colour = "green" if verdict.ok else "yellow" if verdict.status == "refused" else "red"
    screened = (f", screened by {verdict.screen}"
                if verdict.screen and verdict.screen != verdict.checker else "")
    console.print(f"[bold {colour}]{verdict.status}[/] ({escape(verdict.checker + screened)})"
                  + (f" in {verdict.elapsed_ms:.0f} ms" if verdict.elapsed_ms else ""))
    if verdict.reason:
        console.print(f"reason: {escape(verdict.reason)}")
    if verdict.witness:
        console.print("witness: " + ", ".join(f"{k} = {v}" for k, v in verdict.witness.items()))
    if verdict.sorry:
        console.print("uses sorry")
    if verdict.messages:
        table = Table(show_header=True, header_style="bold")
        table.add_column("severity")
        table.add_column("at")
        table.add_column("message", overflow="fold")
        for m in verdict.messages:
            at = f"{m.line}:{m.column}" if m.line is not None else ""
            table.add_row(m.severity, at, escape(m.text))
        console.print(table)


def register(app: typer.Typer) -> None:
    @app.command()
    def check(
        file: Annotated[Path, typer.Argument(help="formal text: .lean or .smt2")],
        formal: Annotated[str | None, typer.Option(
            "--formal", help="lean4 or smtlib2 (default: from the extension)")] = None,
    ) -> None:
        """Screen and check one formal file; exit 0 if it checks, 1 if refused or rejected."""
        from retrolean.agent.settings import Settings

        language = _language(file, formal)
        text = _read(file)
        settings = Settings()
        console = Console(highlight=False, soft_wrap=True)
        console.print(f"check {escape(str(file))} ({language})")
        if language == FormalLanguage.LEAN4:
            verdict = check_lean(text, settings)
        else:
            from retrolean.tools.smt_check import smt_check

            verdict = smt_check(text, timeout_ms=settings.z3_timeout_ms)
        print_verdict(console, verdict)
        raise typer.Exit(0 if verdict.ok else 1)
