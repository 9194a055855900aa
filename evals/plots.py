"""The report's PNG plots, drawn with matplotlib's Agg backend (no display needed).

One function per figure, each taking the EvalReport and a directory and
returning the file name it wrote (or None when the set has nothing to show).
docs/evals.md says how to read each. Trade-off: plain matplotlib, no styling
library; figures are small (about 30–80 KB) so they sit in the workspace's git.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

if TYPE_CHECKING:
    from retrolean.evals.report_schema import EvalReport

log = logging.getLogger(__name__)


def _save(fig: plt.Figure, out: Path, name: str) -> str:
    fig.tight_layout()
    fig.savefig(out / name, dpi=100)
    plt.close(fig)
    return name


def yields_plot(r: EvalReport, out: Path) -> str | None:
    """Records kept and rejected per stage, in plan order."""
    if not r.yields:
        return None
    fig, ax = plt.subplots(figsize=(8, 3.5))
    names = [y.stage for y in r.yields]
    kept = [y.records_out for y in r.yields]
    ax.bar(names, kept, color="#3b7dd8", label="kept")
    ax.bar(names, [y.rejected for y in r.yields], bottom=kept, color="#e07b39", label="rejected")
    ax.set_ylabel("records")
    ax.set_title("Yield per stage")
    ax.tick_params(axis="x", rotation=30)
    ax.legend()
    return _save(fig, out, "yields.png")


def similarities_plot(r: EvalReport, out: Path) -> str | None:
    """Histograms of the round-trip and missing-domain similarities with their thresholds."""
    checks = [c for c in r.similarities.values() if c.summary.n]
    if not checks:
        return None
    fig, axes = plt.subplots(1, len(checks), figsize=(5 * len(checks), 3.5), squeeze=False)
    for ax, c in zip(axes[0], checks, strict=True):
        values = c.accepted + c.rejected
        bins = np.linspace(min(values + [c.threshold or 1.0]) - 0.01, 1.0, 30)
        ax.hist([c.accepted, c.rejected], bins=bins, stacked=True,
                color=["#3b7dd8", "#e07b39"], label=["kept", "rejected"])
        if c.threshold is not None:
            ax.axvline(c.threshold, color="black", linestyle="--",
                       label=f"threshold {c.threshold} ({c.passes.replace('_', ' ')})")
        ax.set_title(f"{c.name} similarity (n={c.summary.n})")
        ax.set_xlabel("cosine similarity of formal content")
        ax.legend(fontsize=8)
    return _save(fig, out, "similarities.png")


def coverage_plot(r: EvalReport, out: Path) -> str | None:
    """Problems per domain: sampled and in the final set."""
    counts = r.coverage_sampled.counts
    if not counts:
        return None
    names = sorted(counts, key=lambda d: counts[d])
    fig, ax = plt.subplots(figsize=(7, max(3.0, 0.22 * len(names) + 1)))
    y = np.arange(len(names))
    ax.barh(y, [counts[d] for d in names], color="#b8cfee", label="sampled")
    ax.barh(y, [r.coverage_final.counts.get(d, 0) for d in names], color="#3b7dd8",
            label="final set")
    ax.set_yticks(y, names, fontsize=7)
    ax.set_xlabel("problems using the domain")
    ax.set_title("Domain coverage")
    ax.legend()
    return _save(fig, out, "coverage.png")


def cooccurrence_plot(r: EvalReport, out: Path) -> str | None:
    """Heatmap of how often two domains share a problem in the final set."""
    names = sorted(r.coverage_sampled.counts)
    if len(names) < 2:
        return None
    index = {d: i for i, d in enumerate(names)}
    grid = np.zeros((len(names), len(names)))
    for a, b, n in r.coverage_final.pair_counts:
        grid[index[a], index[b]] = grid[index[b], index[a]] = n
    size = max(4.0, 0.18 * len(names) + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(grid, cmap="viridis", interpolation="nearest")
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=6)
    ax.set_yticks(range(len(names)), names, fontsize=6)
    fig.colorbar(image, ax=ax, label="problems with both domains")
    ax.set_title("Domain co-occurrence (final set)")
    return _save(fig, out, "cooccurrence.png")


def confusion_plot(r: EvalReport, out: Path) -> str | None:
    """Cross-validated confusion matrix of the persona classifier."""
    d = r.distinctness
    if d is None:
        return None
    grid = np.array(d.confusion)
    fig, ax = plt.subplots(figsize=(5, 4.2))
    ax.imshow(grid, cmap="Blues")
    for (i, j), n in np.ndenumerate(grid):
        ax.text(j, i, str(n), ha="center", va="center",
                color="white" if n > grid.max() / 2 else "black")
    ax.set_xticks(range(len(d.labels)), d.labels, rotation=30, fontsize=8)
    ax.set_yticks(range(len(d.labels)), d.labels, fontsize=8)
    ax.set_xlabel("predicted persona")
    ax.set_ylabel("true persona")
    ax.set_title(f"Persona classifier: {d.accuracy:.0%} (chance {d.chance:.0%})")
    return _save(fig, out, "personas.png")


def lossiness_plot(r: EvalReport, out: Path) -> str | None:
    """Similarity of each persona's descriptions to the faithful caption."""
    values = r.lossiness.values
    if not values:
        return None
    names = list(values)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.boxplot([values[n] for n in names], tick_labels=names)
    ax.set_ylabel("similarity to the English caption")
    ax.set_title("Persona lossiness (lower = more lost or reframed)")
    ax.tick_params(axis="x", rotation=20)
    return _save(fig, out, "lossiness.png")


def near_duplicates_plot(r: EvalReport, out: Path) -> str | None:
    """Histogram of each problem's nearest-neighbour similarity, with the threshold."""
    kinds = [nd for nd in r.near_duplicates.values() if nd.values]
    if not kinds:
        return None
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for nd in kinds:
        ax.hist(nd.values, bins=30, alpha=0.6, label=f"{nd.text} ({nd.rate:.1%} near-dup)")
    ax.axvline(kinds[0].threshold, color="black", linestyle="--", label="threshold")
    ax.set_xlabel("similarity to the closest other problem")
    ax.set_ylabel("problems")
    ax.set_title("Nearest-neighbour similarity")
    ax.legend(fontsize=8)
    return _save(fig, out, "near_duplicates.png")


def templates_plot(r: EvalReport, out: Path) -> str | None:
    """Conversations per template."""
    if not r.templates.templates:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.bar(list(r.templates.templates), list(r.templates.templates.values()), color="#3b7dd8")
    ax.set_ylabel("conversations")
    ax.set_title("Conversation template mix")
    ax.tick_params(axis="x", rotation=20)
    return _save(fig, out, "templates.png")


def lengths_plot(r: EvalReport, out: Path) -> str | None:
    """Length of each kind of text: box p10–p90, line at the median, whiskers min–max."""
    kinds = [(k, s) for k, s in r.lengths.items() if s.n and k != "formal (chars)"]
    if not kinds:
        return None
    stats = [{"label": k, "whislo": s.min, "q1": s.p10, "med": s.median, "q3": s.p90,
              "whishi": s.max, "fliers": []} for k, s in kinds]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.bxp(stats, showfliers=False)
    ax.set_ylabel("words")
    ax.set_title("Text lengths (box p10–p90, whiskers min–max)")
    ax.tick_params(axis="x", rotation=25)
    return _save(fig, out, "lengths.png")


FIGURES: list[Callable[[EvalReport, Path], str | None]] = [
    yields_plot, similarities_plot, coverage_plot, cooccurrence_plot, confusion_plot,
    lossiness_plot, near_duplicates_plot, templates_plot, lengths_plot]


def draw_all(r: EvalReport, out: Path) -> dict[str, str]:
    """Draw every figure into `out`; returns figure name -> file name (figures drawn only)."""
    drawn = {}
    for draw in FIGURES:
        name = draw(r, out)
        if name:
            drawn[name.removesuffix(".png")] = name
    log.info("drew %d figures into %s", len(drawn), out)
    return drawn
