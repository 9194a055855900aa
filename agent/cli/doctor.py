"""`retrolean doctor`: which backends are available here, and what is wrong with the rest.

The exit code is the verdict: 0 when a run can go ahead as configured, 1 when
something it needs is broken. Fatal: a configured model endpoint that does
not answer (closed port, DNS, TLS, a refused key, a model it does not serve),
Z3 (every SMT-LIB check and the template backend's witnesses use it), the
embedding model (the round trip and missing-domain stages measure with it),
and Lean when the settings ask for Lean 4. Not fatal, shown as a warning:
Lean absent under `auto` (runs use SMT-LIB 2), and a half-configured endpoint
(the template backend runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from retrolean.agent.settings import Settings

console = Console()


Status = str  # "ok", "warn" (a run goes ahead without it) or "fail" (fatal)
_SHOWN = {"ok": "[green]yes[/]", "warn": "[yellow]warn[/]", "fail": "[red]no[/]"}


def _z3() -> tuple[bool, str]:
    from retrolean.tools.smt_check import smt_check

    verdict = smt_check("(declare-const x Int)(assert (> x 1))(check-sat)", timeout_ms=2000)
    return verdict.ok, (f"{verdict.checker}, screened by {verdict.screen}" if verdict.ok
                        else verdict.summary())


def _lean(settings: Settings) -> tuple[bool, str]:
    from retrolean.tools.lean_check import LeanConfig, detect_lean

    info = detect_lean(LeanConfig.from_settings(settings), check_mathlib=True)
    if not info.found:
        if settings.formal == "lean4":
            return False, f"absent ({info.detail or 'not found'}), and the settings ask for Lean 4"
        return False, f"absent ({info.detail or 'not found'}): runs use SMT-LIB 2 with Z3"
    mathlib = {True: "Mathlib importable", False: "no Mathlib", None: "Mathlib not checked"}
    return True, f"{info.version} at {info.path}; {mathlib[info.mathlib]}"


def _embeddings(settings: Settings) -> tuple[bool, str]:
    from retrolean.tools.embed_similarity import Embedder, resolve_model

    try:
        sims = Embedder(settings.embedding_model).similarities([("check", "check")])
    except Exception as e:  # report any failure to load as a diagnosis, not a crash
        return False, str(e).splitlines()[0]
    where = resolve_model(settings.embedding_model)
    return sims == [1.0], f"{settings.embedding_model} from {where}"


def _model(settings: Settings) -> tuple[bool, str]:
    if not settings.uses_model:
        missing = "--base-url/OPENAI_BASE_URL" if settings.model else "--model/OPENAI_MODEL"
        if settings.model or settings.base_url:
            return False, f"half configured: {missing} is missing, so the template backend runs"
        return True, "none configured: the template backend runs every skill"
    from pydantic import SecretStr

    from retrolean.tools.generate import ModelClient, ModelConfig

    assert settings.model is not None and settings.base_url is not None
    config = ModelConfig(base_url=settings.base_url, model=settings.model,
                         api_key=settings.api_key or SecretStr("EMPTY"), max_retries=0)
    result = ModelClient(config).ping_sync(timeout_s=30.0)
    return result.ok, result.detail


def verdicts(settings: Settings) -> dict[str, tuple[Status, str]]:
    """Each check's status ("ok", "warn" or "fail") and its one-line detail."""
    model_ok, model_detail = _model(settings)
    half = not settings.uses_model and bool(settings.model or settings.base_url)
    lean_ok, lean_detail = _lean(settings)
    z3_ok, z3_detail = _z3()
    embed_ok, embed_detail = _embeddings(settings)
    return {
        "model endpoint": ("ok" if model_ok else "warn" if half else "fail", model_detail),
        "Lean 4": ("ok" if lean_ok else "fail" if settings.formal == "lean4" else "warn",
                   lean_detail),
        "Z3 (SMT-LIB 2)": ("ok" if z3_ok else "fail", z3_detail),
        "embeddings": ("ok" if embed_ok else "fail", embed_detail),
    }


def register(app: typer.Typer) -> None:
    @app.command()
    def doctor(
        model: Annotated[str | None, typer.Option(help="model name (or OPENAI_MODEL)")] = None,
        base_url: Annotated[str | None, typer.Option(
            help="OpenAI-compatible endpoint (or OPENAI_BASE_URL)")] = None,
    ) -> None:
        """Check the model endpoint (models listed, one tiny call), Lean, Z3 and embeddings;
        exit 1 when something a run needs is broken."""
        from retrolean.agent.settings import load_settings

        settings = load_settings(model=model, base_url=base_url)
        table = Table(title="retrolean doctor")
        table.add_column("backend")
        table.add_column("ok")
        table.add_column("detail")
        checks = verdicts(settings)
        for name, (status, detail) in checks.items():
            table.add_row(name, _SHOWN[status], detail)
        console.print(table)
        fatal = [name for name, (status, _detail) in checks.items() if status == "fail"]
        if fatal:
            console.print(f"doctor: not ready: {', '.join(fatal)} (see above)")
            raise typer.Exit(1)
        console.print("doctor: ready")
