"""Fresh test sets: what makes a new run's set disjoint from an earlier one.

A fresh set is an ordinary agent run with a seed no run in the workspace has
used (made by `retrolean.agent.fresh_set`), followed by one more set,
`sets/disjoint.jsonl`: the final set minus every problem whose domain
combination (as a set) occurs among the problems the earlier run accepted at
any stage, or whose English caption is a near-duplicate (embedding similarity
at or above a threshold) of an earlier caption. Removed problems go to
`sets/disjoint.rejects.jsonl` with the reason. Trade-off: collisions are
removed after the run rather than avoided at sampling time, so a fresh set
can come out a little smaller than asked; the removal is visible as a yield.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from retrolean.evals.runs import DISJOINT, RunView
from retrolean.evals.stats import Summary
from retrolean.memory.workspace import Workspace
from retrolean.tools.embed_similarity import Embedder

log = logging.getLogger(__name__)


class FreshResult(BaseModel):
    """What fresh-set made and what it removed to keep the set disjoint."""

    run_id: str
    path: Path
    status: str  # how the fresh run ended (finished, or stopped by its budget)
    like: str
    seed: int
    sampled: int
    final: int
    kept: int
    removed_combination: int
    removed_near_duplicate: int
    threshold: float
    nearest: Summary  # each kept problem's caption similarity to its closest earlier caption


def unused_seed(workspace: Workspace, after: int) -> int:
    """The smallest seed above `after` that no run in the workspace was made with."""
    used = set()
    for run_id in workspace.runs():
        try:
            plan = json.loads((workspace.run_dir(run_id) / "plan.json").read_text("utf-8"))
            used.add(int(plan["parameters"]["seed"]))
        except (OSError, KeyError, TypeError, ValueError):
            continue
    seed = after + 1
    while seed in used:
        seed += 1
    return seed


def like_snapshot(like: RunView) -> dict[str, Any]:
    """The earlier run's `run.json` (its options and replayed settings); empty when absent."""
    try:
        data = json.loads((like.path / "run.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _reject(record: dict[str, Any], reason: str, kind: str) -> dict[str, Any]:
    return {**record, "reject": {"stage": DISJOINT, "reason": reason, "kind": kind}}


def split_disjoint(fresh: list[dict[str, Any]], earlier: list[dict[str, Any]], like_id: str,
                   embedder: Embedder, threshold: float
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[float]]:
    """Kept records, removed ones (with reasons), and each kept caption's nearest similarity."""
    combos = {frozenset(r.get("domains", [])) for r in earlier}
    kept, removed = [], []
    for r in fresh:
        if frozenset(r.get("domains", [])) in combos:
            removed.append(_reject(r, f"domain combination {'+'.join(sorted(r['domains']))} "
                                      f"already in run {like_id}",
                                   "domain combination already in the earlier run"))
        else:
            kept.append(r)
    old = [(r["id"], r["english"]["text"]) for r in earlier if (r.get("english") or {}).get("text")]
    new = [r for r in kept if (r.get("english") or {}).get("text")]
    if not old or not new:
        return kept, removed, []
    sims = embedder.embed([r["english"]["text"] for r in new]) @ \
        embedder.embed([t for _, t in old]).T
    best, nearest = sims.argmax(axis=1), sims.max(axis=1)
    close = {r["id"]: (old[int(j)][0], float(s))
             for r, j, s in zip(new, best, nearest, strict=True) if s >= threshold}
    out = []
    for r in kept:
        if r["id"] in close:
            other, s = close[r["id"]]
            removed.append(_reject(r, f"near-duplicate of {other} in run {like_id} (caption "
                                      f"similarity {s:.3f} >= {threshold})",
                                   "near-duplicate of an earlier problem"))
        else:
            out.append(r)
    return out, removed, [float(s) for r, s in zip(new, nearest, strict=True)
                          if r["id"] not in close]
