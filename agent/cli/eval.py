"""`retrolean eval …`: dataset reports, fresh test sets, model benchmarks, report comparison.

A thin layer: each command calls one library function in `evals/` and draws
its result as a rich table; everything written goes into the workspace.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from retrolean.memory.errors import UserError

if TYPE_CHECKING:
    from retrolean.evals.checks import ChecksReport
    from retrolean.evals.report_schema import EvalReport

console = Console()
err = Console(stderr=True)

WorkspaceOption = Annotated[Path | None, typer.Option(help="workspace git repository")]
EmbeddingModel = Annotated[str | None, typer.Option(
    help="sentence-transformers model name or path")]


def _num(value: object, pct: bool = False) -> str:
    if value is None:
        return "—"
    if pct and isinstance(value, int | float):
        return f"{100 * value:.1f}%"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def report_table(report: EvalReport) -> Table:
    """The report's headline as a short table."""
    h, t = report.headline, report.similarities
    table = Table(title=f"eval {report.run_id}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("reads as")
    d = report.distinctness
    rows = [
        ("problems", f"{report.sampled} → {report.final}",
         f"{_num(h['final_yield'], True)} reach {report.final_stage}"),
        ("round trip pass", _num(h.get("yield.roundtrip"), True),
         f"captions kept; a proof decided {_num(h.get('roundtrip.decided_by_proof'), True)}, "
         f"similarity ≥ {t['roundtrip'].threshold} only where none could (similarity alone "
         f"{_num(h.get('roundtrip.similarity_pass'), True)}; median "
         f"{_num(h['roundtrip.median'])})"),
        ("missing-domain pass", _num(h.get("yield.missing"), True),
         f"versions kept; a proof decided {_num(h.get('missing.decided_by_proof'), True)}, "
         f"similarity < {t['missing'].threshold} only where none could (similarity alone "
         f"{_num(h.get('missing.similarity_pass'), True)}; median "
         f"{_num(h['missing.median'])})"),
        ("domain evenness", _num(h["coverage.final_entropy"]),
         f"normalized entropy (1 = even); sampled {_num(h['coverage.sampled_entropy'])}, "
         f"χ² p {_num(h['coverage.sampled_chi2_p'])}"),
        ("pairs covered", _num(h["coverage.pairs_covered"], True), "of all domain pairs"),
        ("persona accuracy", _num(h["personas.accuracy"], True),
         f"chance {_num(h['personas.chance'], True)}; least distinct pair "
         + (f"{d.least_distinct.a}/{d.least_distinct.b} {_num(d.least_distinct.accuracy, True)}"
            if d and d.least_distinct else "—")),
        ("lossiness", _num(h["lossiness.mean"]), "mean similarity of persona text to caption"),
        ("near-duplicates", _num(h["near_duplicates.english"], True),
         f"captions; missing-domain texts {_num(h['near_duplicates.missing'], True)}"),
        ("template evenness", _num(h["templates.entropy"]),
         f"{report.templates.conversations} conversations"),
        ("caption length", _num(h["length.english_words"]), "mean words"),
    ]
    if "text.ngram8_repeat" in h:
        rows += [
            ("8-gram repeats", _num(h["text.ngram8_repeat.max_persona"], True),
             f"worst persona; all personas {_num(h['text.ngram8_repeat'], True)}"),
            ("grounded figures", _num(h["text.grounded_figures"], True),
             f"assistant figures given or chosen; leaks {h['text.identifier_leaks']}, "
             f"repeated sentences {h['text.repeated_sentence_texts']}"),
        ]
    for row in rows:
        table.add_row(*row)
    return table


def checks_table(report: ChecksReport) -> Table:
    """Per check and corruption kind: tried, changing the problem, caught, catch rate."""
    table = Table(title=f"checks of {report.run_id} ({report.backend}, {report.language})")
    for col in ("check", "corruption", "tried", "change the problem", "caught", "catch rate",
                "unchanged: rejected", "truth undecided"):
        table.add_column(col, justify="left" if col in ("check", "corruption") else "right")
    for r in report.rows:
        if r.kind == "untouched":
            table.add_row(r.check, "untouched", str(r.tried), "—", "—", "—",
                          f"{r.unchanged_rejected} of {r.unchanged}", "—")
        else:
            table.add_row(r.check, r.kind, str(r.tried), str(r.changed), str(r.caught),
                          _num(r.catch_rate, True), f"{r.unchanged_rejected} of {r.unchanged}",
                          str(r.truth_undecided))
    return table


def register(app: typer.Typer) -> None:
    eval_app = typer.Typer(
        help="Evaluate sets: reports, checks, fresh test sets, model benchmarks.",
        no_args_is_help=True)
    app.add_typer(eval_app, name="eval")

    @eval_app.command("report")
    def report(
        run: Annotated[str, typer.Argument(help="run id, fragment, `latest`, or directory")],
        workspace: WorkspaceOption = None,
        embedding_model: EmbeddingModel = None,
        near_duplicate: Annotated[float, typer.Option(
            min=0.0, max=1.0, help="similarity at which two problems count as duplicates")] = 0.9,
    ) -> None:
        """Measure a run's sets; write eval/report.html, eval.json and plots into the run."""
        from retrolean.agent.settings import load_settings
        from retrolean.evals.report import evaluate_run
        from retrolean.memory.workspace import Workspace

        settings = load_settings(workspace=workspace, embedding_model=embedding_model)
        with err.status("measuring the run's sets…"):
            result, paths = evaluate_run(Workspace(settings.workspace), run,
                                         settings.embedding_model, near_duplicate)
        console.print(report_table(result))
        console.print(f"report: [bold]{paths['html']}[/] (numbers in {paths['json'].name}; "
                      "figures explained in docs/evals.md)")

    @eval_app.command("checks")
    def checks(
        run: Annotated[str, typer.Argument(help="run id, fragment, `latest`, or directory")],
        workspace: WorkspaceOption = None,
        per_record: Annotated[int, typer.Option(
            min=1, help="corruptions of each kind per record")] = 3,
        seed: Annotated[int, typer.Option(help="seed of the corruptions")] = 0,
        model_name: Annotated[str | None, typer.Option(
            "--model", help="model run: model name on the endpoint (or OPENAI_MODEL)")] = None,
        base_url: Annotated[str | None, typer.Option(
            help="model run: OpenAI-compatible endpoint (or OPENAI_BASE_URL)")] = None,
    ) -> None:
        """Corrupt a run's accepted records and measure how often each check catches it."""
        from retrolean.agent.pipeline import checks_context
        from retrolean.agent.settings import load_settings
        from retrolean.evals.checks import measure_checks, write_checks
        from retrolean.evals.runs import RunView
        from retrolean.memory.runs import locate_run
        from retrolean.memory.workspace import Workspace
        from retrolean.recipes.catalog_loader import load_catalog

        settings = load_settings(workspace=workspace, model=model_name, base_url=base_url)
        ws = Workspace(settings.workspace)
        view = RunView.open(locate_run(ws, run))
        context = checks_context(settings, view.plan)
        themes = list(load_catalog(settings.catalog).themes)
        with err.status("corrupting records and running the checks…") as status:
            report = measure_checks(view, context, themes=themes, per_record=per_record,
                                    seed=seed, progress=lambda s: status.update(
                                        f"corrupting records: {s}…"))
        path = write_checks(ws, view, report)
        console.print(checks_table(report))
        for check in ("roundtrip", "missing"):
            t = report.totals(check)
            if t["changed"] or t["untouched"]:
                console.print(f"{check}: catches {_num(t['catch_rate'], True)} of "
                              f"{t['changed']} problem-changing corruptions; falsely rejects "
                              f"{_num(t['false_reject_rate'], True)} of {t['untouched']} "
                              "untouched texts")
        for e in report.examples:
            console.print(f"- [{e.kind}] {e.before!r} -> {e.after!r}: {e.reason}")
        console.print(f"written: [bold]{path}[/] (figures explained in docs/evals.md)")

    @eval_app.command("fresh-set")
    def fresh_set(
        like: Annotated[str, typer.Option("--like", help="the run the new set must not overlap")],
        n: Annotated[int, typer.Option("--n", help="problems to sample")],
        seed: Annotated[int | None, typer.Option(
            help="seed (default: the next one no run in the workspace used)")] = None,
        recipe: Annotated[str | None, typer.Option(
            help="recipe (default: the earlier run's)")] = None,
        workspace: WorkspaceOption = None,
        embedding_model: EmbeddingModel = None,
        near_duplicate: Annotated[float, typer.Option(
            min=0.0, max=1.0, help="caption similarity that counts as a duplicate")] = 0.9,
    ) -> None:
        """Run the same recipe with a new seed; remove problems that overlap the earlier run."""
        from retrolean.agent.cli.run import StageBars
        from retrolean.agent.fresh_set import make_fresh_set
        from retrolean.agent.settings import load_settings

        settings = load_settings(workspace=workspace, embedding_model=embedding_model,
                                 recipe=recipe)
        result = make_fresh_set(settings, like, n, seed, near_duplicate, StageBars())
        table = Table(title=f"fresh set {result.run_id} (seed {result.seed}, {result.status})")
        table.add_column("figure")
        table.add_column("value", justify="right")
        for name, value in (("sampled", result.sampled), ("final set", result.final),
                            ("removed: same domain combination", result.removed_combination),
                            ("removed: near-duplicate caption", result.removed_near_duplicate),
                            ("kept (sets/disjoint.jsonl)", result.kept),
                            ("closest earlier caption, median", _num(result.nearest.median)),
                            ("closest earlier caption, max", _num(result.nearest.max))):
            table.add_row(name, str(value))
        console.print(table)
        console.print(f"disjoint from {result.like}; written to [bold]{result.path}[/]")

    @eval_app.command("model")
    def model(
        set_run: Annotated[str, typer.Option("--set", help="run whose final set is the test")],
        model_name: Annotated[str | None, typer.Option(
            "--model", help="model name on the endpoint (or OPENAI_MODEL)")] = None,
        base_url: Annotated[str | None, typer.Option(
            help="OpenAI-compatible endpoint (or OPENAI_BASE_URL)")] = None,
        api_key: Annotated[str | None, typer.Option(help="API key (or OPENAI_API_KEY)")] = None,
        workspace: WorkspaceOption = None,
        embedding_model: EmbeddingModel = None,
        variants: Annotated[str, typer.Option(
            help="comma-separated: missing (domain dropped), persona (full)")] = "missing,persona",
        limit: Annotated[int | None, typer.Option(min=1, help="first N problems only")] = None,
        concurrency: Annotated[int, typer.Option(min=1, help="calls in flight at most")] = 8,
        timeout: Annotated[float, typer.Option(min=1, help="seconds per call")] = 300.0,
        max_tokens: Annotated[int | None, typer.Option(min=1, help="output limit")] = None,
        glossary: Annotated[bool, typer.Option(
            help="list identifier prefixes per domain in the prompt")] = True,
        seed: Annotated[int, typer.Option(help="bootstrap seed")] = 0,
    ) -> None:
        """Benchmark a model: ask for the rigorous problem behind each description, score it."""
        from pydantic import SecretStr

        from retrolean.agent.settings import load_settings
        from retrolean.evals.model_bench import VARIANTS, run_benchmark
        from retrolean.memory.workspace import Workspace
        from retrolean.tools.generate import ModelConfig
        from retrolean.tools.lean_check import LeanConfig

        settings = load_settings(workspace=workspace, embedding_model=embedding_model,
                                 model=model_name, base_url=base_url, api_key=api_key)
        if not settings.model or not settings.base_url:
            raise UserError("eval model needs --model and --base-url (or OPENAI_MODEL and "
                            "OPENAI_BASE_URL)")
        chosen = tuple(v.strip() for v in variants.split(",") if v.strip())
        unknown = [v for v in chosen if v not in VARIANTS]
        if unknown or not chosen:
            raise UserError(f"unknown variant {unknown[0] if unknown else variants!r}; use "
                            f"{', '.join(VARIANTS)}")
        config = ModelConfig(base_url=settings.base_url, model=settings.model,
                             api_key=settings.api_key or SecretStr("EMPTY"),
                             concurrency=concurrency, timeout_s=timeout)
        with err.status(f"asking {settings.model} and scoring…"):
            summary, out = run_benchmark(
                Workspace(settings.workspace), set_run, config, catalog=settings.catalog,
                embedding_model=settings.embedding_model, z3_timeout_ms=settings.z3_timeout_ms,
                lean=LeanConfig.from_settings(settings), variants=chosen, limit=limit,
                use_glossary=glossary, max_tokens=max_tokens, seed=seed)
        table = Table(title=f"{summary.model} on {summary.set_run} ({summary.answered} of "
                            f"{summary.items} answered, {summary.parse_failures} unparsed)")
        table.add_column("variant")
        table.add_column("group")
        for metric in ("check", "dropped_present", "similarity", "success"):
            table.add_column(metric, justify="right")
        for variant, overall in summary.overall.items():
            groups = [("all", overall), *summary.by_persona.get(variant, {}).items()]
            for group, cis in groups:
                table.add_row(variant, group, *(
                    f"{ci.mean:.2f} [{ci.low:.2f}, {ci.high:.2f}]" if ci.mean is not None else "—"
                    for ci in (cis[m] for m in ("check", "dropped_present", "similarity",
                                                "success"))))
        console.print(table)
        console.print(f"answers and summary: [bold]{out}[/] (committed; per-domain means in "
                      "summary.json)")

    @eval_app.command("compare")
    def compare(
        a: Annotated[str, typer.Argument(help="first run (or its eval.json)")],
        b: Annotated[str, typer.Argument(help="second run (or its eval.json)")],
        workspace: WorkspaceOption = None,
    ) -> None:
        """Two eval reports side by side, with deltas (b − a)."""
        from retrolean.agent.settings import load_settings
        from retrolean.evals.compare import compare_reports, find_report
        from retrolean.memory.workspace import Workspace

        ws = Workspace(load_settings(workspace=workspace).workspace)
        ra, rb = find_report(ws, a), find_report(ws, b)
        table = Table(title=f"A = {ra.run_id}   B = {rb.run_id}")
        for col in ("measure", "A", "B", "Δ (B − A)"):
            table.add_column(col, justify="left" if col == "measure" else "right")
        for row in compare_reports(ra, rb):
            delta = "—" if row.delta is None else f"{row.delta:+.4g}"
            table.add_row(row.measure, _num(row.a), _num(row.b), delta)
        console.print(table)
