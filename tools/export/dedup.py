"""Duplicate filters for sets of records: exact, and near-duplicate by embedding.

Two records are compared by their problem: the formal *content* (comments,
declarations and solver commands stripped, as the round trip compares it),
else the English caption, else the domain list. Exact duplicates share that
text; near duplicates embed with cosine similarity at or above a threshold
(default 0.97, the recipe's round-trip threshold: as close as a caption's
reformalization must be to count as the same problem; distinct template
problems measured at most 0.91 on a 20-problem run). The first record of
each group is kept, in set order. The trade-off: near-duplicate filtering is
greedy and quadratic in the kept records, fine for sets of thousands.

Example: dedup([a, copy_of_a, b], "exact") -> ([a, b], DedupReport(exact=1, near=0, …))
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from retrolean.memory.errors import UserError
from retrolean.memory.languages import FormalLanguage
from retrolean.tools.formal_text import content_for_embedding

DedupMode = Literal["none", "exact", "near"]
MODES: tuple[str, ...] = ("none", "exact", "near")
NEAR_THRESHOLD = 0.97


class TextEmbedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def problem_text(record: dict[str, Any]) -> str:
    """The text two records are compared by: formal content, else caption, else domains."""
    formal = record.get("formal") or {}
    if formal.get("text"):
        return content_for_embedding(formal["text"],
                                     FormalLanguage(formal.get("language", "smtlib2")))
    english = record.get("english") or {}
    if english.get("text"):
        return " ".join(english["text"].split())
    return json.dumps(sorted(record.get("domains", [])))


@dataclass
class DedupReport:
    """How many records each filter dropped, and which."""

    mode: str
    threshold: float | None = None
    exact: int = 0
    near: int = 0
    dropped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """'exact 1, near 0 (threshold 0.97)'."""
        if self.mode == "none":
            return "no deduplication"
        near = f", near {self.near} (similarity ≥ {self.threshold})" if self.mode == "near" else ""
        return f"exact duplicates dropped: {self.exact}{near}"


def dedup(records: list[dict[str, Any]], mode: str = "exact",
          embedder: TextEmbedder | None = None,
          threshold: float = NEAR_THRESHOLD) -> tuple[list[dict[str, Any]], DedupReport]:
    """The records without duplicates (`exact`, or `near` which also drops exact ones)."""
    if mode not in MODES:
        raise UserError(f"--dedup must be one of {', '.join(MODES)} (got {mode!r})")
    if not -1 <= threshold <= 1:
        raise UserError(f"--near-threshold must lie in [-1, 1] (got {threshold})")
    report = DedupReport(mode=mode, threshold=threshold if mode == "near" else None)
    if mode == "none":
        return list(records), report
    seen: set[str] = set()
    kept, texts = [], []
    for r in records:
        text = problem_text(r)
        if text in seen:
            report.exact += 1
            report.dropped.append(r.get("id", "?"))
            continue
        seen.add(text)
        kept.append(r)
        texts.append(text)
    if mode == "exact" or len(kept) < 2:
        return kept, report
    if embedder is None:
        raise ValueError("near-duplicate filtering needs an embedder")
    vectors = embedder.embed(texts)
    chosen: list[int] = []
    for i in range(len(kept)):
        if chosen and float(np.max(vectors[chosen] @ vectors[i])) >= threshold:
            report.near += 1
            report.dropped.append(kept[i].get("id", "?"))
        else:
            chosen.append(i)
    return [kept[i] for i in chosen], report
