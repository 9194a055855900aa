"""A trace's score: how golden a run is, from outcomes, its own evaluations and a human label.

    base  = weighted mean of the parts the trace has (weights renormalised over them):
            yield         0.4  final records / sampled records, from the `outcome` block
                               (0 when the run never reached its outcome)
            expectations  0.3  mean over stages whose expectation states a figure of
                               min(1, stage yield / figure), each stage counted once
            evaluations   0.2  mean p(yes) = sigmoid(score) of `evaluation` blocks that carry a
                               judged score (log-odds)
            budget        0.1  1 - budget used (a fraction in the outcome's `budget_used`),
                               when the run records one
    score = base - 0.1 per `error` block (at most 0.3) + 1 if rated good, - 1 if rated bad

A stage's figure is the `min_yield` its expectation block carries (or `expected` on its
evaluation block); failing both, the first percentage its text states ("at least 40% of …"
-> 0.40), "nearly every"/"almost every"/"most" read as 0.9, "every"/"all"/"each" as 1.0;
other wording states no figure and is left out. A stage's yield is its last evaluation
block's `observed` yield, else the `StageYield` its observation carries; a stage run
several times (retries) counts with its last attempt.

The trade-off: the human label outweighs everything measured (a good-rated run ranks
above every unrated one, a bad-rated one below), because the label is the ground truth
the measured parts only approximate; the machine parts order runs within a label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrolean.traces.block_data import StageYield
from retrolean.traces.schema import (
    Block,
    EvaluationBlock,
    ExpectationBlock,
    ObservationBlock,
    OutcomeBlock,
    p_yes,
)

WEIGHTS = {"yield": 0.4, "expectations": 0.3, "evaluations": 0.2, "budget": 0.1}
ERROR_PENALTY = 0.1
ERROR_PENALTY_CAP = 0.3
LABEL_BONUS = {"good": 1.0, "bad": -1.0}

_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b)")
_NEARLY = re.compile(r"\b(?:nearly|almost)\s+(?:every|all)\b|(?<!at )\bmost\b")
_EVERY = re.compile(r"\b(?:every|all|each)\b")


def expectation_figure(text: str) -> float | None:
    """The yield an expectation states, as a fraction, or None.

    Example: "at least 40% of sampled combinations are consistent" -> 0.4
    """
    text = text.lower()
    if m := _PERCENT.search(text):
        return min(1.0, float(m.group(1)) / 100)
    if _NEARLY.search(text):
        return 0.9
    if _EVERY.search(text):
        return 1.0
    return None


def stage_yields(blocks: list[Block]) -> list[StageYield]:
    """Records in and out of each stage, from the observations that carry a stage's yield
    (a stage run several times counts with its last attempt), in trace order."""
    out: dict[str, StageYield] = {}
    for b in blocks:
        if isinstance(b, ObservationBlock) and b.data.stage_yield is not None:
            out[b.data.stage_yield.stage] = b.data.stage_yield
    return list(out.values())


def yield_fractions(blocks: list[Block]) -> dict[str, float]:
    """Each stage's yield (fraction of its input kept): its last evaluation's, else its
    observed `StageYield`'s."""
    out = {y.stage: y.yield_frac for y in stage_yields(blocks) if y.records_in}
    for b in blocks:
        if b.stage and isinstance(b, EvaluationBlock) and b.data.observed is not None:
            out[b.stage] = b.data.observed
    return out


def stage_figures(blocks: list[Block]) -> dict[str, float]:
    """The yield each stage's expectation states, from its data or its words (last one wins)."""
    out: dict[str, float] = {}
    for b in blocks:
        if not b.stage:
            continue
        if isinstance(b, ExpectationBlock):
            figure = b.data.min_yield
            figure = figure if figure is not None else expectation_figure(b.body)
            if figure is not None:
                out[b.stage] = figure
        elif isinstance(b, EvaluationBlock) and b.data.expected is not None:
            out[b.stage] = b.data.expected
    return out


def final_yield(blocks: list[Block]) -> tuple[int, int] | None:
    """(final, sampled) from the last outcome block that states them, or None."""
    for b in reversed(blocks):
        if isinstance(b, OutcomeBlock) and b.data.sampled is not None:
            return b.data.final, b.data.sampled
    return None


@dataclass
class TraceScore:
    """The score with the parts it was computed from."""

    total: float
    base: float
    parts: dict[str, float] = field(default_factory=dict)
    errors: int = 0
    label: str | None = None
    finished: bool = False

    def explain(self) -> str:
        """One line: each part, the error penalty and the label."""
        parts = ", ".join(f"{k} {v:.2f}" for k, v in self.parts.items())
        label = f"; rated {self.label}" if self.label else ""
        return f"{self.total:.3f} = base {self.base:.3f} ({parts}) - {self.errors} errors{label}"


def score_trace(blocks: list[Block], label: str | None = None) -> TraceScore:
    """The trace's score (see the module docstring for the formula)."""
    parts: dict[str, float] = {}
    fy = final_yield(blocks)
    parts["yield"] = fy[0] / fy[1] if fy and fy[1] else 0.0
    yields = yield_fractions(blocks)
    ratios = [min(1.0, yields[stage] / figure) for stage, figure in stage_figures(blocks).items()
              if stage in yields and figure > 0]
    if ratios:
        parts["expectations"] = sum(ratios) / len(ratios)
    judged = [p_yes(b.score) for b in blocks if b.type == "evaluation" and b.score is not None]
    if judged:
        parts["evaluations"] = sum(judged) / len(judged)
    for b in reversed(blocks):
        if isinstance(b, OutcomeBlock) and b.data.budget_used is not None:
            parts["budget"] = 1 - min(1.0, max(0.0, b.data.budget_used))
            break
    weight = sum(WEIGHTS[k] for k in parts)
    base = sum(WEIGHTS[k] * v for k, v in parts.items()) / weight
    errors = sum(1 for b in blocks if b.type == "error")
    total = base - min(ERROR_PENALTY_CAP, ERROR_PENALTY * errors) + LABEL_BONUS.get(label or "", 0)
    return TraceScore(total=round(total, 4), base=round(base, 4),
                      parts={k: round(v, 4) for k, v in parts.items()}, errors=errors,
                      label=label, finished=fy is not None)
