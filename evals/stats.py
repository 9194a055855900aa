"""Small statistics the evaluations share: summaries, evenness, bootstrap intervals.

Numpy only, plus scipy's chi-square tail for p-values. Every random draw is
seeded, so a report or a benchmark summary is the same number twice.

Example: normalized_entropy([5, 5, 5, 5]) -> 1.0; normalized_entropy([20, 0, 0, 0]) -> 0.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel
from scipy.stats import chi2


class Summary(BaseModel):
    """Order statistics of a list of numbers (all None when it is empty)."""

    n: int
    mean: float | None = None
    min: float | None = None
    p10: float | None = None
    median: float | None = None
    p90: float | None = None
    max: float | None = None


class Evenness(BaseModel):
    """How evenly counts spread over `categories`: entropy and a chi-square test vs uniform."""

    categories: int
    observed: int  # categories with a non-zero count
    total: int
    normalized_entropy: float  # H / ln(categories); 1 = perfectly even
    chi_square: float
    dof: int
    p_value: float  # chance of counts this uneven or worse if sampling were uniform
    max_over_min: float | None  # largest count over smallest (None when a category is empty)


class Interval(BaseModel):
    """A mean with its bootstrap confidence interval."""

    n: int
    mean: float | None
    low: float | None
    high: float | None


def summarize(values: Sequence[float]) -> Summary:
    """n, mean and quantiles, rounded to 4 places.

    Example: summarize([1, 2, 3]).median -> 2.0
    """
    if not values:
        return Summary(n=0)
    a = np.asarray(values, dtype=float)
    q = np.quantile(a, [0.1, 0.5, 0.9])
    return Summary(n=len(a), mean=round(float(a.mean()), 4), min=round(float(a.min()), 4),
                   p10=round(float(q[0]), 4), median=round(float(q[1]), 4),
                   p90=round(float(q[2]), 4), max=round(float(a.max()), 4))


def normalized_entropy(counts: Sequence[int]) -> float:
    """Shannon entropy of the counts over ln(number of categories); 1.0 for one category."""
    total = sum(counts)
    if len(counts) <= 1 or total == 0:
        return 1.0
    p = np.asarray([c for c in counts if c > 0], dtype=float) / total
    return round(float(-(p * np.log(p)).sum() / math.log(len(counts))), 4)


def evenness(counts: Sequence[int]) -> Evenness:
    """Entropy and Pearson's chi-square of counts against a uniform spread over them all."""
    total = int(sum(counts))
    k = len(counts)
    if k <= 1 or total == 0:
        return Evenness(categories=k, observed=sum(c > 0 for c in counts), total=total,
                        normalized_entropy=1.0, chi_square=0.0, dof=max(k - 1, 0), p_value=1.0,
                        max_over_min=None)
    expected = total / k
    stat = float(sum((c - expected) ** 2 for c in counts) / expected)
    low = min(counts)
    return Evenness(categories=k, observed=sum(c > 0 for c in counts), total=total,
                    normalized_entropy=normalized_entropy(counts), chi_square=round(stat, 3),
                    dof=k - 1, p_value=round(float(chi2.sf(stat, k - 1)), 4),
                    max_over_min=round(max(counts) / low, 3) if low > 0 else None)


def bootstrap_ci(values: Sequence[float], seed: int = 0, resamples: int = 2000,
                 level: float = 0.95) -> Interval:
    """The mean and its percentile bootstrap interval (seeded; a single value has no width).

    Example: bootstrap_ci([1, 1, 1]) -> Interval(n=3, mean=1.0, low=1.0, high=1.0)
    """
    if not values:
        return Interval(n=0, mean=None, low=None, high=None)
    a = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = a[rng.integers(0, len(a), size=(resamples, len(a)))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return Interval(n=len(a), mean=round(float(a.mean()), 4), low=round(float(low), 4),
                    high=round(float(high), 4))
