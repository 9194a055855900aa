"""The run's `report.md`: yields per stage, reject reasons, similarity summaries, model calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retrolean.agent.ledger import entry_totals, total
from retrolean.memory.atomic import write_text_atomic
from retrolean.recipes.recipe import Recipe
from retrolean.recipes.stages.context import StageContext
from retrolean.traces.block_data import StageYield


def model_calls_section(calls: list[dict[str, Any]] | None, ctx: StageContext) -> list[str]:
    """The report's "Model calls" lines: one row per phase (each planning, each stage attempt),
    the total, and the client's own count of what it sent in this process."""
    if not calls:
        return []
    lines = ["", "## Model calls", "",
             "Every request the run sent, by phase: each planning, and each attempt of each "
             "stage (re-asks, retries, judge samples included; a cache hit is a call without "
             "a request; tokens as the server reported them).", "",
             "| phase | calls | cache hits | requests | re-asks | rejects | failures | "
             "tokens in | tokens out |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for entry in calls:
        t = entry_totals(entry)
        lines.append(f"| {entry['phase']} #{entry['attempt']} | {t.calls} | {t.cache_hits} | "
                     f"{t.requests} | {t.reasks} | {t.rejects} | {t.failures} | {t.tokens_in} | "
                     f"{t.tokens_out} |")
    t = total(calls)
    lines.append(f"| **total** | {t.calls} | {t.cache_hits} | {t.requests} | {t.reasks} | "
                 f"{t.rejects} | {t.failures} | {t.tokens_in} | {t.tokens_out} |")
    client = ctx.backend.client
    if client is not None:
        wire = client.stats
        lines += ["", f"The client counted {wire.requests} chat requests ({wire.tokens_in} "
                      f"tokens in, {wire.tokens_out} out) and {wire.listings} model listings "
                      "(the endpoint probe) in this process"
                  + (", as above." if (wire.requests, wire.tokens_in, wire.tokens_out)
                     == (t.requests, t.tokens_in, t.tokens_out)
                     else "; the table counts the whole run (a resumed run's earlier "
                          "processes too).")]
    return lines


def render_report(goal: str, recipe: Recipe, ctx: StageContext, rows: list[StageYield],
                  seconds: float, calls: list[dict[str, Any]] | None = None) -> str:
    """The report as Markdown; `calls` is the run's ledger (agent/ledger.py)."""
    p, t = recipe.parameters, recipe.thresholds
    lines = [
        f"# Run report: {goal}", "",
        f"- recipe: `{recipe.name}`; backend: **{ctx.backend.name}**"
        + (f" (model `{ctx.backend.model}`)" if ctx.backend.model else "")
        + f"; formal language: `{ctx.language}`; embeddings: `{ctx.embedder.model_name}`",
        f"- n = {p.n}, k = {p.k}, seed = {p.seed}, frame-shift rate = {p.frame_shift_rate}, "
        f"theme rate = {p.theme_rate}",
        f"- thresholds (decide only where no proof could): round trip ≥ "
        f"{t.roundtrip_similarity}, missing domain < {t.missing_similarity}",
        f"- wall time: {seconds:.1f} s", "",
        "## Yield per stage", "",
        "| stage | in | out | rejected | yield | seconds | set | rejects |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r.stage} | {r.records_in} | {r.records_out} | {r.rejected} | "
                     f"{r.yield_pct:.0f}% | {r.seconds or 0:.2f} | `{r.set_path}` | "
                     f"{'`' + r.rejects_path + '`' if r.rejects_path else '—'} |")
    lines += ["", "## Reject reasons", "",
              "By stage and kind, most frequent first: how many, then the reason with its "
              "figures (a range where they differ).", ""]
    any_reasons = False
    for r in rows:
        for kind, count in r.reasons.items():
            lines.append(f"- {r.stage}, {count} × {kind}: {r.examples.get(kind) or kind}")
            any_reasons = True
    if not any_reasons:
        lines.append("No rejects.")
    lines += ["", "## Verification", ""]
    lines += verification_lines(rows) or ["No check was decided in this run."]
    lines += ["", "## Similarities", ""]
    for r in rows:
        sim = r.figures.get("similarity")
        if sim and sim.get("count"):
            lines.append(f"- {r.stage}: n = {sim['count']}, min {sim['min']:.3f}, median "
                         f"{sim['median']:.3f}, mean {sim['mean']:.3f}, max {sim['max']:.3f}")
    lines += model_calls_section(calls, ctx)
    # model_calls is in the table above, every attempt of it: the rows hold only the last
    shown = {"similarity", "interaction", "method", "model_calls"}
    other = {r.stage: {k: v for k, v in r.figures.items() if k not in shown} for r in rows}
    other = {k: v for k, v in other.items() if v}
    if other:
        lines += ["", "## Other figures", ""]
        for stage, figs in other.items():
            for k, v in figs.items():
                lines.append(f"- {stage}: {k} = {v}")
    return "\n".join(lines) + "\n"


def verification_lines(rows: list[StageYield]) -> list[str]:
    """How the checks were decided: interaction of the problems formalize kept, and each
    check's decisions by method and outcome."""
    lines = []
    for r in rows:
        found = r.figures.get("interaction")
        if found and found.get("problems"):
            lines.append(f"- {r.stage}: of {found['problems']} consistent problems, "
                         f"{found['interacting']} interact (connected: {found['connected']}; "
                         f"links: {found['links']}, of which {found['non_redundant_links']} "
                         "add a constraint); the others were rejected")
        methods = r.figures.get("method")
        if methods:
            lines.append(f"- {r.stage}: decided by " + ", ".join(f"{k} — {n}"
                                                              for k, n in methods.items()))
    return lines


def write_run_report(path: Path, goal: str, recipe: Recipe, ctx: StageContext,
                     rows: list[StageYield], seconds: float,
                     calls: list[dict[str, Any]] | None = None) -> None:
    """Write `report.md` atomically."""
    write_text_atomic(path, render_report(goal, recipe, ctx, rows, seconds, calls))
