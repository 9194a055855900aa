"""Measures on text embeddings: persona distinctness, persona lossiness, near-duplicates.

All texts of a set are embedded in one batch by the run's embedding model
(`tools.embed_similarity.Embedder`, cached per text). Lossiness is the cosine
similarity of each persona description to the faithful English caption of
the same problem: low means the persona lost or bent much of the problem,
which is wanted, within reason. A near-duplicate is a problem whose text has
another problem's text above a similarity threshold. Trade-off: one general
sentence model stands in for "meaning", so two captions built from the same
template sentences read as close even when their figures differ.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel

from retrolean.evals.distinctness import Distinctness, persona_distinctness
from retrolean.evals.stats import Summary, summarize
from retrolean.tools.embed_similarity import Embedder

NEAR_DUPLICATE = 0.9


class Lossiness(BaseModel):
    """Similarity of each description to the faithful caption, per persona."""

    mean: float | None
    per_persona: dict[str, Summary]
    values: dict[str, list[float]]


class NearDuplicates(BaseModel):
    """Nearest-neighbour similarity of one kind of text across the set's problems."""

    text: str
    threshold: float
    records: int
    rate: float  # share of problems with a neighbour at or above the threshold
    nearest: Summary
    values: list[float]
    top_pairs: list[tuple[str, str, float]]


def _persona_items(records: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(r["id"], pid, p["text"]) for r in records
            for pid, p in sorted((r.get("personas") or {}).items()) if p.get("text")]


def distinctness(records: list[dict[str, Any]], embedder: Embedder, folds: int = 5,
                 seed: int = 0) -> Distinctness | None:
    """Cross-validated persona classification of the set's descriptions (None if < 2 personas)."""
    items = _persona_items(records)
    if len({pid for _, pid, _ in items}) < 2 or len({rid for rid, _, _ in items}) < 2:
        return None
    x = embedder.embed([t for _, _, t in items])
    return persona_distinctness(x, [p for _, p, _ in items], [r for r, _, _ in items],
                                folds=folds, seed=seed)


def lossiness(records: list[dict[str, Any]], embedder: Embedder) -> Lossiness:
    """Per persona (and for the missing-domain text): similarity to the English caption."""
    pairs: list[tuple[str, str, str]] = []
    for r in records:
        caption = (r.get("english") or {}).get("text")
        if not caption:
            continue
        for pid, p in sorted((r.get("personas") or {}).items()):
            pairs.append((pid, p.get("text", ""), caption))
        if (r.get("missing") or {}).get("text"):
            pairs.append(("missing", r["missing"]["text"], caption))
    sims = embedder.similarities([(a, b) for _, a, b in pairs])
    values: dict[str, list[float]] = {}
    for (kind, _, _), s in zip(pairs, sims, strict=True):
        values.setdefault(kind, []).append(s)
    persona_sims = [s for k, v in values.items() if k != "missing" for s in v]
    return Lossiness(mean=round(float(np.mean(persona_sims)), 4) if persona_sims else None,
                     per_persona={k: summarize(v) for k, v in values.items()}, values=values)


def near_duplicates(ids: list[str], texts: list[str], embedder: Embedder, name: str,
                    threshold: float = NEAR_DUPLICATE, top: int = 10) -> NearDuplicates:
    """Each text's most similar other text; the share at or above `threshold`."""
    if len(texts) < 2:
        return NearDuplicates(text=name, threshold=threshold, records=len(texts), rate=0.0,
                              nearest=summarize([]), values=[], top_pairs=[])
    x = embedder.embed(texts)
    sims = np.clip(x @ x.T, -1.0, 1.0)
    np.fill_diagonal(sims, -np.inf)
    nearest = sims.max(axis=1)
    i_idx, j_idx = np.triu_indices(len(texts), k=1)
    upper = sims[i_idx, j_idx]
    order = np.argsort(-upper)[:top]
    pairs = [(ids[i_idx[o]], ids[j_idx[o]], round(float(upper[o]), 4)) for o in order
             if upper[o] >= threshold]
    return NearDuplicates(text=name, threshold=threshold, records=len(texts),
                          rate=round(float((nearest >= threshold).mean()), 4),
                          nearest=summarize([float(v) for v in nearest]),
                          values=[round(float(v), 4) for v in nearest], top_pairs=pairs)


def set_near_duplicates(records: list[dict[str, Any]], embedder: Embedder,
                        threshold: float = NEAR_DUPLICATE) -> dict[str, NearDuplicates]:
    """Near-duplicates among the English captions and among the missing-domain texts."""
    out = {}
    for kind, get in (("english", lambda r: (r.get("english") or {}).get("text")),
                      ("missing", lambda r: (r.get("missing") or {}).get("text"))):
        have = [(r["id"], t) for r in records if (t := get(r))]
        out[kind] = near_duplicates([i for i, _ in have], [t for _, t in have], embedder, kind,
                                    threshold)
    return out
