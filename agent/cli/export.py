"""`retrolean export sft|dataset`: golden traces and conversation sets for SFT, runs as datasets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from retrolean.agent.cli.runs import WorkspaceOption, workspace_at
from retrolean.memory.errors import UserError
from retrolean.tools.export.conversations import FORMATS
from retrolean.tools.export.dedup import MODES, NEAR_THRESHOLD
from retrolean.traces.golden import RATING_FILTERS

if TYPE_CHECKING:
    from retrolean.tools.export.dedup import TextEmbedder

console = Console()

DedupOption = Annotated[str, typer.Option(help=f"duplicate filter: {' | '.join(MODES)}")]
ThresholdOption = Annotated[float, typer.Option(
    help="near-duplicate cosine similarity (with --dedup near)")]
SeedOption = Annotated[int, typer.Option(help="seed of the train/test split")]


def _embedder(mode: str) -> TextEmbedder | None:
    if mode != "near":
        return None
    from retrolean.agent.settings import load_settings
    from retrolean.tools.embed_similarity import Embedder

    return Embedder(load_settings().embedding_model)


def register(app: typer.Typer) -> None:
    export_app = typer.Typer(help="Export golden traces, conversation sets and datasets.",
                             no_args_is_help=True)
    app.add_typer(export_app, name="export")

    @export_app.command("sft")
    def sft(
        runs: Annotated[list[str] | None, typer.Argument(
            metavar="[RUN]...", help="runs to export (with --traces: default all)")] = None,
        out: Annotated[Path, typer.Option(help="JSONL file to write")] = Path("sft.jsonl"),
        traces: Annotated[bool, typer.Option("--traces", help="export golden traces")] = False,
        sets: Annotated[bool, typer.Option("--sets", help="export conversation sets")] = False,
        top: Annotated[str | None, typer.Option(help="best traces: a share (20%) or a count")]
        = None,
        min_score: Annotated[float | None, typer.Option(help="lowest trace score kept")] = None,
        rating: Annotated[str, typer.Option(
            help=f"traces rated {' | '.join(RATING_FILTERS)}")] = "any",
        format: Annotated[str, typer.Option(help=f"sets as {' | '.join(FORMATS)}")] = "messages",
        set_name: Annotated[str, typer.Option("--set", help="set holding the conversations")]
        = "conversations",
        dedup: DedupOption = "exact",
        near_threshold: ThresholdOption = NEAR_THRESHOLD,
        test_size: Annotated[float, typer.Option(
            help="share of records for <out>.test.jsonl (0: none)")] = 0.0,
        seed: SeedOption = 0,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Golden traces (--traces) or conversation sets (--sets RUN...) as SFT JSONL."""
        from retrolean.memory.runs import resolve_run
        from retrolean.tools.export.conversations import export_conversations
        from retrolean.traces.golden import select_golden, write_golden
        from retrolean.traces.summary import summarize_run, summarize_runs

        if traces == sets:
            raise UserError("say what to export: --traces or --sets RUN...")
        ws = workspace_at(workspace)
        ids = [resolve_run(ws, r) for r in runs or []]
        if traces:
            pool = [summarize_run(ws, i) for i in ids] if ids else summarize_runs(ws)
            from retrolean.tools.registry import tool_schemas

            result = write_golden(select_golden(pool, top, min_score, rating), out,
                                  tool_schemas())
            console.print(f"exported {result.traces} trace{'s' if result.traces != 1 else ''} "
                          f"({result.pairs} weave pair{'s' if result.pairs != 1 else ''}): "
                          + ", ".join(str(p) for p in result.paths))
            return
        if not ids:
            raise UserError("--sets needs at least one RUN (e.g. `--sets latest`)")
        exported = export_conversations([ws.run_dir(i) for i in ids], out, format, set_name,
                                        dedup, _embedder(dedup), near_threshold, test_size, seed)
        counts = ", ".join(f"{k} {v}" for k, v in exported.rows.items())
        console.print(f"exported conversations ({format}; {counts}; "
                      f"{exported.dedup.summary() if exported.dedup else ''}): "
                      + ", ".join(str(p) for p in exported.paths))

    @export_app.command("dataset")
    def dataset(
        run: Annotated[str, typer.Argument(help="run id, unique part of one, or latest")],
        out: Annotated[Path, typer.Option(help="directory to write")],
        dedup: DedupOption = "exact",
        near_threshold: ThresholdOption = NEAR_THRESHOLD,
        test_size: Annotated[float, typer.Option(help="share of records in the test split")]
        = 0.2,
        seed: SeedOption = 0,
        rejects: Annotated[bool, typer.Option("--rejects", help="include rejects sets")] = False,
        set_names: Annotated[list[str] | None, typer.Option(
            "--set", help="only this set (repeat for more)")] = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """The run's sets as a Hugging Face dataset: parquet per set and split, plus a card."""
        from retrolean.memory.runs import resolve_run
        from retrolean.tools.export.dataset import export_dataset
        from retrolean.tools.export.dataset_card import default_set

        ws = workspace_at(workspace)
        run_dir = ws.run_dir(resolve_run(ws, run))
        result = export_dataset(run_dir, out, dedup, _embedder(dedup), near_threshold,
                                test_size, seed, rejects, set_names)
        for s in result.sets:
            console.print(f"{s.name}: {s.records} record{'s' if s.records != 1 else ''} "
                          f"({s.dedup.summary()}); {s.unit} "
                          + ", ".join(f"{k} {v}" for k, v in s.splits.items()))
        default = default_set(result)
        console.print(f"dataset written to {out} (card: {out / 'README.md'}"
                      + (f"; load_dataset({str(out)!r}) reads {default.name}" if default
                         else "") + ")")
