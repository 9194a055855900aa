"""`eval fresh-set`: the same recipe with a new seed, made disjoint from an earlier run.

The fresh run is an ordinary agent run made like the earlier one (its recipe,
k, domain pool, catalog, embedding model and formal language; a seed no run in
the workspace has used), followed by one more set, `sets/disjoint.jsonl`: the
final set minus every problem whose domain combination (as a set) occurs among
the problems the earlier run accepted at any stage, or whose English caption
is a near-duplicate (embedding similarity at or above a threshold) of an
earlier caption. Removed problems go to `sets/disjoint.rejects.jsonl` with
the reason, and `fresh.json` holds the figures. Trade-off: collisions are
removed after the run rather than avoided at sampling time, so a fresh set
can come out a little smaller than asked; the removal is visible as a yield.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agent.graph.runtime import Progress
from agent.pipeline import RunOptions, prepare
from agent.runner import drive, start
from agent.settings import Settings
from evals.runs import DISJOINT, RunView, resolve_run
from evals.stats import Summary, summarize
from evals.text_measures import NEAR_DUPLICATE
from memory.atomic import write_text_atomic
from memory.errors import UserError
from memory.workspace import Workspace
from tools.embed_similarity import Embedder
from tools.save_set import save_set

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


def fresh_settings(settings: Settings, like: RunView) -> Settings:
    """The earlier run's recipe, catalog, embedding model and formal language, unless given."""
    earlier = like_snapshot(like).get("settings") or {}
    update: dict[str, Any] = {}
    for name in ("recipe", "catalog", "embedding_model"):
        if name not in settings.model_fields_set and earlier.get(name) is not None:
            update[name] = Path(earlier[name]) if name == "catalog" else earlier[name]
    if "recipe" not in settings.model_fields_set and "recipe" not in update \
            and like.plan.get("recipe"):
        update["recipe"] = like.plan["recipe"]
    if "formal" not in settings.model_fields_set:
        update["formal"] = like.language
    return settings.model_copy(update=update)


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


def make_fresh_set(settings: Settings, like_ref: str, n: int, seed: int | None = None,
                   threshold: float = NEAR_DUPLICATE,
                   progress: Progress | None = None) -> FreshResult:
    """Run the earlier run's recipe with a new seed, then remove what overlaps the earlier run."""
    workspace = Workspace(settings.workspace)
    like = RunView.open(resolve_run(workspace, like_ref))
    if seed is None:
        seed = unused_seed(workspace, int(like.parameters.get("seed", 0)))
    if seed == like.parameters.get("seed"):
        raise UserError(f"seed {seed} is the seed of run {like.run_id}; pick another --seed")
    run_settings = fresh_settings(settings, like)
    options = RunOptions(goal=str(like.plan.get("goal", "fresh test set")), n=n, seed=seed,
                         k=like.parameters.get("k"),
                         domains=(like_snapshot(like).get("options") or {}).get("domains"))
    try:
        prepared = prepare(run_settings, options)
    except UserError as e:
        raise UserError(f"{e} (the fresh set reuses run {like.run_id}'s recipe "
                        f"{run_settings.recipe!r}; pass --recipe to choose another)") from e
    session = start(run_settings, options, progress=progress, prepared=prepared)
    try:
        state = drive(session)
    finally:
        session.close()
    fresh = RunView.open(session.runtime.run_dir)
    final = fresh.final()
    kept, removed, nearest = split_disjoint(final, like.every_accepted(), like.run_id,
                                            prepared.ctx.embedder, threshold)
    save_set(fresh.path / "sets", DISJOINT, kept, removed)
    out = FreshResult(
        run_id=fresh.run_id, path=fresh.path, status=str(state.get("status", "?")),
        like=like.run_id, seed=seed,
        sampled=n, final=len(final), kept=len(kept),
        removed_combination=sum(r["reject"]["kind"].startswith("domain") for r in removed),
        removed_near_duplicate=sum(r["reject"]["kind"].startswith("near") for r in removed),
        threshold=threshold, nearest=summarize(nearest))
    write_text_atomic(fresh.path / "fresh.json", out.model_dump_json(indent=1) + "\n")
    workspace.commit(f"run {fresh.run_id}: disjoint from {like.run_id} ({out.kept} kept, "
                     f"{len(removed)} removed)", [fresh.path])
    log.info("fresh set %s: %d of %d kept", fresh.run_id, out.kept, out.final)
    return out

