"""A stage's figures over batches: counts add up, distributions are measured on the whole.

A stage runs over any batch of records, so what it reports per batch must be
*additive* — counts by status, calls, tokens — and `merge_figures` sums them
over batches (nested dicts key by key). A figure that summarizes the whole
stage (a median, a mean) cannot be averaged from per-batch summaries: the
stage declares it as a *measure* instead, a value read off each output record,
and `Distributions` summarizes those values once every batch is merged.

Example: merge_figures({"checker_status": {"sat": 3}}, {"checker_status": {"sat": 1,
         "unsat": 2}}) -> {"checker_status": {"sat": 4, "unsat": 2}}

Trade-off: a figure's values do not depend on the batching, but the order of its keys
(first seen first) can: the report lists the same counts, perhaps in another order.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from typing import Any

from retrolean.recipes.records import Record

Measure = Callable[[Record], float | None]  # a record's value for a whole-stage figure


def merge_figures(total: dict[str, Any], batch: dict[str, Any]) -> dict[str, Any]:
    """`total` with one batch's additive figures added in (numbers sum, dicts merge by key;
    keys keep the order they were first seen in); ValueError for a figure that cannot be
    added (say, a string or a list)."""
    out = dict(total)
    for key, value in batch.items():
        have = out.get(key)
        if isinstance(value, dict):
            out[key] = merge_figures(have or {}, value)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"figure {key!r} = {value!r} is not additive: a stage's per-batch "
                             "figures are counts; declare a measure for whole-stage summaries")
        else:
            out[key] = round(have + value, 4) if have is not None else value
    return out


def similarity_figures(values: list[float]) -> dict[str, float]:
    """A distribution's figures for the report: count, min, median, mean and max.

    Example: similarity_figures([0.9, 1.0]) -> {"count": 2, "min": 0.9, "median": 0.95, …}
    """
    if not values:
        return {"count": 0}
    return {"count": len(values), "min": min(values), "median": statistics.median(values),
            "mean": round(statistics.fmean(values), 4), "max": max(values)}


class Distributions:
    """Values of a stage's measures over every record it output, accepted or rejected."""

    def __init__(self, measures: dict[str, Measure]) -> None:
        self.measures = measures
        self.values: dict[str, list[float]] = {name: [] for name in measures}

    def add(self, records: Iterable[Record]) -> None:
        """Read each measure off these records."""
        for record in records:
            for name, measure in self.measures.items():
                value = measure(record)
                if value is not None:
                    self.values[name].append(value)

    def figures(self) -> dict[str, Any]:
        """Each measure's distribution figures (none when the stage declares no measure)."""
        return {name: similarity_figures(values) for name, values in self.values.items()}
