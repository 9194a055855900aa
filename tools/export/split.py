"""A train/test split that keeps domain combinations disjoint, seeded.

A combination is a record's set of domains, order ignored. Combinations are
shuffled with the seed and given to the test split until it holds about
`test_size` of the records; every record of a combination lands in the same
split, so no test problem shares its exact mix of domains with a training
one. The assignment is made once over all the records given (e.g. every set
of a run), so the same record falls on the same side in every set. The
trade-off: split sizes are only as close to `test_size` as the combination
sizes allow; with a single combination everything is training data.

Example: assign_splits([r1, r2, r3], 0.34, seed=1) -> {("a", "b"): "test", …}
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from typing import Any

from retrolean.memory.errors import UserError

Combination = tuple[str, ...]


def combination(record: dict[str, Any]) -> Combination:
    """The record's domains as a sorted tuple."""
    return tuple(sorted(record.get("domains", [])))


def assign_splits(records: Iterable[dict[str, Any]], test_size: float,
                  seed: int) -> dict[Combination, str]:
    """`train` or `test` for each domain combination among the records (unique by id)."""
    if not 0 <= test_size < 1:
        raise UserError(f"--test-size must be in [0, 1) (got {test_size})")
    by_id = {r.get("id", str(i)): r for i, r in enumerate(records)}
    sizes = Counter(combination(r) for r in by_id.values())
    combos = sorted(sizes)
    random.Random(seed).shuffle(combos)
    target = round(test_size * sum(sizes.values()))
    if test_size > 0 and len(combos) > 1:
        target = max(target, 1)
    out: dict[Combination, str] = {}
    in_test = 0
    for i, combo in enumerate(combos):
        keep_one_for_train = i == len(combos) - 1 and "train" not in out.values()
        if in_test < target and not keep_one_for_train:
            out[combo] = "test"
            in_test += sizes[combo]
        else:
            out[combo] = "train"
    return out


def split_records(records: list[dict[str, Any]],
                  assignment: dict[Combination, str]) -> dict[str, list[dict[str, Any]]]:
    """The records grouped by split (`train`, `test`), in their original order."""
    out: dict[str, list[dict[str, Any]]] = {"train": [], "test": []}
    for r in records:
        out[assignment.get(combination(r), "train")].append(r)
    return out
