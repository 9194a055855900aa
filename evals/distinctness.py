"""Persona distinctness: can the personas be told apart from their texts alone?

A nearest-centroid classifier on unit-length text embeddings (cosine to each
persona's mean), scored by k-fold cross-validation. Folds are drawn by
*problem*, not by text, so the four descriptions of one problem are always on
the same side: the classifier cannot win by recognising the problem's content.
Besides overall accuracy (against chance: the largest persona's share), every
pair of personas gets its own two-class cross-validated accuracy; a pair near
0.5 is two personas that read alike. Trade-off: a linear probe would separate
more, but a centroid per persona is what "a persona has its own voice" means,
and it needs no tuning.

Example: two personas whose texts are identical -> pair accuracy 0.5.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
from pydantic import BaseModel


class PairAccuracy(BaseModel):
    """Cross-validated accuracy of telling two personas apart (chance 0.5)."""

    a: str
    b: str
    accuracy: float


class Distinctness(BaseModel):
    """Cross-validated nearest-centroid classification of persona texts."""

    texts: int
    folds: int
    labels: list[str]
    accuracy: float
    chance: float
    recall: dict[str, float]
    confusion: list[list[int]]  # rows: true persona, columns: predicted, in `labels` order
    pairs: list[PairAccuracy]
    least_distinct: PairAccuracy | None


def fold_of_groups(groups: Sequence[str], folds: int, seed: int) -> np.ndarray:
    """A fold number per item such that items of one group share a fold (seeded shuffle).

    Example: fold_of_groups(["a", "a", "b"], 2, 0) -> array([1, 1, 0]) (some such split)
    """
    unique = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(unique))
    fold = {unique[i]: rank % folds for rank, i in enumerate(order)}
    return np.array([fold[g] for g in groups])


def cross_validated_predictions(x: np.ndarray, y: np.ndarray, fold: np.ndarray) -> np.ndarray:
    """Predicted class index per row, each from centroids fitted on the other folds."""
    classes = int(y.max()) + 1
    predicted = np.empty(len(y), dtype=int)
    for f in np.unique(fold):
        train, test = fold != f, fold == f
        centroids = np.zeros((classes, x.shape[1]))
        for c in range(classes):
            members = x[train & (y == c)]
            if len(members):
                centroids[c] = members.mean(axis=0)
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        centroids = centroids / np.where(norms == 0, 1, norms)
        scores = x[test] @ centroids.T
        scores[:, norms[:, 0] == 0] = -np.inf  # a class absent from training is never chosen
        predicted[test] = scores.argmax(axis=1)
    return predicted


def persona_distinctness(x: np.ndarray, labels: Sequence[str], groups: Sequence[str],
                         folds: int = 5, seed: int = 0) -> Distinctness:
    """Classify each text's persona by cross-validation; accuracies overall and per pair."""
    names = sorted(set(labels))
    y = np.array([names.index(label) for label in labels])
    folds = max(2, min(folds, len(set(groups))))
    fold = fold_of_groups(groups, folds, seed)
    predicted = cross_validated_predictions(x, y, fold)
    confusion = np.zeros((len(names), len(names)), dtype=int)
    np.add.at(confusion, (y, predicted), 1)
    counts = confusion.sum(axis=1)
    pairs = []
    for i, j in combinations(range(len(names)), 2):
        keep = (y == i) | (y == j)
        sub_y = (y[keep] == j).astype(int)
        sub_pred = cross_validated_predictions(x[keep], sub_y, fold[keep])
        pairs.append(PairAccuracy(a=names[i], b=names[j],
                                  accuracy=round(float((sub_pred == sub_y).mean()), 4)))
    return Distinctness(
        texts=len(y), folds=folds, labels=names,
        accuracy=round(float((predicted == y).mean()), 4) if len(y) else 0.0,
        chance=round(float(counts.max() / counts.sum()), 4) if counts.sum() else 0.0,
        recall={n: round(float(confusion[i, i] / counts[i]), 4) if counts[i] else 0.0
                for i, n in enumerate(names)},
        confusion=confusion.tolist(), pairs=pairs,
        least_distinct=min(pairs, key=lambda p: p.accuracy) if pairs else None)
