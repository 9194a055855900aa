"""What each stage kept and why it rejected the rest; the verified similarities vs thresholds.

Everything here is read from the sets as the run wrote them; nothing is
recomputed. The round-trip similarity is on the passing side at or above its
threshold, the missing-domain similarity strictly below its own. The
thresholds decide only where no formal verdict exists (evals/verification.py
counts which method decided); elsewhere the similarity is recorded beside the
proof. Records rejected before a similarity was measured are not counted in
its distribution.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field

from retrolean.evals.runs import RunView
from retrolean.evals.stats import Summary, summarize
from retrolean.recipes.stages.reasons import summarize_reasons
from retrolean.traces.block_data import StageYield


class SimilarityCheck(BaseModel):
    """A verified similarity's distribution against the threshold it must pass."""

    name: str
    threshold: float | None
    passes: Literal["at_least", "below"]
    summary: Summary
    # share of measured similarities on the passing side (`pass_rate` in eval.json before 14)
    similarity_pass: float | None = Field(
        validation_alias=AliasChoices("similarity_pass", "pass_rate"))
    accepted: list[float]  # similarities of records the stage kept
    rejected: list[float]  # similarities of records it rejected (for any reason)


def set_yields(run: RunView) -> list[StageYield]:
    """Yield and reject reasons of every stage, read from its sets, in plan order."""
    out = []
    for stage in run.stages:
        kept, dropped = run.accepted(stage), run.rejected(stage)
        kinds: Counter[str] = Counter()
        reasons: dict[str, list[str]] = {}
        for r in dropped:
            reject = r.get("reject") or {}
            kind = reject.get("kind") or reject.get("reason") or "unknown"
            kinds[kind] += 1
            reasons.setdefault(kind, []).append(reject.get("reason") or kind)
        total = len(kept) + len(dropped)
        out.append(StageYield(stage=stage, records_in=total, records_out=len(kept),
                              rejected=len(dropped), reasons=dict(kinds.most_common()),
                              examples={k: summarize_reasons(v) for k, v in reasons.items()}))
    return out


def _similarity(record: dict[str, Any], path: tuple[str, ...]) -> float | None:
    node: Any = record
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return float(node) if isinstance(node, int | float) else None


def similarity_check(run: RunView, stage: str, path: tuple[str, ...], threshold_key: str,
                     passes: Literal["at_least", "below"]) -> SimilarityCheck:
    """The similarity at `path` over a stage's kept and rejected records, against a threshold."""
    threshold = run.thresholds.get(threshold_key)
    kept = [s for r in run.accepted(stage) if (s := _similarity(r, path)) is not None]
    dropped = [s for r in run.rejected(stage) if (s := _similarity(r, path)) is not None]
    values = kept + dropped
    if threshold is None or not values:
        rate = None
    elif passes == "at_least":
        rate = round(sum(v >= threshold for v in values) / len(values), 4)
    else:
        rate = round(sum(v < threshold for v in values) / len(values), 4)
    return SimilarityCheck(name=stage, threshold=threshold, passes=passes,
                           summary=summarize(values), similarity_pass=rate, accepted=kept,
                           rejected=dropped)


def similarity_checks(run: RunView) -> dict[str, SimilarityCheck]:
    """The round-trip and missing-domain similarity checks of the run."""
    return {
        "roundtrip": similarity_check(run, "roundtrip", ("english", "roundtrip", "similarity"),
                                      "roundtrip_similarity", "at_least"),
        "missing": similarity_check(run, "missing", ("missing", "roundtrip", "similarity"),
                                    "missing_similarity", "below"),
    }


def touchstones_absent_rate(run: RunView) -> float | None:
    """Share of missing-domain versions whose reformalization lost the dropped touchstones."""
    flags = [r["missing"]["touchstones_absent"]
             for r in run.accepted("missing") + run.rejected("missing")
             if (r.get("missing") or {}).get("touchstones_absent") is not None]
    return round(sum(flags) / len(flags), 4) if flags else None
