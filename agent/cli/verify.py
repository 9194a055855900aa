"""`retrolean verify PAIRS.jsonl [--out VERDICTS.jsonl]`: the round trip on given pairs.

Each input line is `{"id", "formal", "language", "english"}`; each output
line `{"id", "ok", "method", "reason", "counterexample", "similarity"}` (to
--out, else to stdout). The configured backend reformalizes (a model where
one is configured, else the template process). Exit 0 when every pair
passes, 1 when some fail, 2 on bad input (the bad line is named).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    @app.command()
    def verify(
        pairs: Annotated[Path, typer.Argument(help="JSONL: id, formal, language, english")],
        out: Annotated[Path | None, typer.Option(
            "--out", help="write the verdicts here (JSONL) instead of to stdout")] = None,
        model_name: Annotated[str | None, typer.Option(
            "--model", help="model name on the endpoint (or OPENAI_MODEL)")] = None,
        base_url: Annotated[str | None, typer.Option(
            help="OpenAI-compatible endpoint (or OPENAI_BASE_URL)")] = None,
        workspace: Annotated[Path | None, typer.Option(
            help="workspace (its model cache is used)")] = None,
    ) -> None:
        """Verify (formal, English) pairs by the round trip; exit 1 if any fails."""
        from retrolean.agent.pipeline import verify_context
        from retrolean.agent.settings import load_settings
        from retrolean.evals.verify import read_pairs, verify_pairs
        from retrolean.memory.atomic import write_text_atomic

        settings = load_settings(model=model_name, base_url=base_url, workspace=workspace)
        read = read_pairs(pairs)
        err = Console(stderr=True)
        with err.status(f"verifying {len(read)} pairs…"):
            verdicts = verify_pairs(read, verify_context(settings))
        text = "".join(v.model_dump_json() + "\n" for v in verdicts)
        if out is not None:
            write_text_atomic(out, text)
        else:
            typer.echo(text, nl=False)
        failed = sum(not v.ok for v in verdicts)
        err.print(f"{len(verdicts) - failed} of {len(verdicts)} pairs pass"
                  + (f"; verdicts in {out}" if out else ""))
        raise typer.Exit(1 if failed else 0)
