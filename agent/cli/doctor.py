"""`retrolean doctor`: which backends are available here, and what is wrong with the rest."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from agent.settings import Settings, load_settings
from tools.lean_check import LeanConfig, detect_lean

console = Console()


def _z3() -> tuple[bool, str]:
    try:
        from tools.smt_check import CHECKER, smt_check
    except ImportError as e:
        return False, f"z3-solver not importable: {e}"
    verdict = smt_check("(declare-const x Int)(assert (> x 1))", timeout_ms=2000)
    return verdict.ok, CHECKER if verdict.ok else verdict.summary()


def _lean(settings: Settings) -> tuple[bool, str]:
    info = detect_lean(LeanConfig.from_settings(settings), check_mathlib=True)
    if not info.found:
        return False, f"absent ({info.detail or 'not found'}): runs use SMT-LIB 2 with Z3"
    mathlib = {True: "Mathlib importable", False: "no Mathlib", None: "Mathlib not checked"}
    return True, f"{info.version} at {info.path}; {mathlib[info.mathlib]}"


def _embeddings(settings: Settings) -> tuple[bool, str]:
    from tools.embed_similarity import Embedder, resolve_model

    try:
        sims = Embedder(settings.embedding_model).similarities([("check", "check")])
    except Exception as e:  # report any failure to load as a diagnosis, not a crash
        return False, str(e).splitlines()[0]
    where = resolve_model(settings.embedding_model)
    return sims == [1.0], f"{settings.embedding_model} from {where}"


def _model(settings: Settings) -> tuple[bool, str]:
    if not settings.uses_model:
        return True, "none configured: the template backend runs every skill"
    return True, f"{settings.model} at {settings.base_url}"


def register(app: typer.Typer) -> None:
    @app.command()
    def doctor() -> None:
        """Check the model endpoint, Lean, Z3 and the embedding model."""
        settings = load_settings()
        table = Table(title="retrolean doctor")
        table.add_column("backend")
        table.add_column("ok")
        table.add_column("detail")
        checks = {"model endpoint": _model(settings), "Lean 4": _lean(settings),
                  "Z3 (SMT-LIB 2)": _z3(), "embeddings": _embeddings(settings)}
        for name, (ok, detail) in checks.items():
            table.add_row(name, "[green]yes[/]" if ok else "[red]no[/]", detail)
        console.print(table)
