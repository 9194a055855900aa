"""The run's `report.md`: yields per stage, reject reasons, similarity summaries."""

from __future__ import annotations

from pathlib import Path

from retrolean.memory.atomic import write_text_atomic
from retrolean.recipes.recipe import Recipe
from retrolean.recipes.stages.context import StageContext
from retrolean.traces.block_data import StageYield


def render_report(goal: str, recipe: Recipe, ctx: StageContext, rows: list[StageYield],
                  seconds: float) -> str:
    """The report as Markdown."""
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
    lines += ["", "## Reject reasons", ""]
    any_reasons = False
    for r in rows:
        for kind, count in r.reasons.items():
            lines.append(f"- {r.stage}: {kind} — {count}")
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
    shown = {"similarity", "interaction", "method"}
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
                     rows: list[StageYield], seconds: float) -> None:
    """Write `report.md` atomically."""
    write_text_atomic(path, render_report(goal, recipe, ctx, rows, seconds))
