"""`eval fresh-set`: the earlier run's recipe again with a new seed, made disjoint from it.

Orchestration lives here, in the agent: the fresh set is an ordinary agent run
made like the earlier one (its recipe, k, domain pool, catalog, embedding model
and formal language; a seed no run in the workspace has used). What counts as
overlap, and the figures kept in `fresh.json`, are `retrolean.evals.fresh`'s.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from retrolean.agent.graph.runtime import Progress
from retrolean.agent.pipeline import RunOptions, prepare
from retrolean.agent.runner import drive, start
from retrolean.agent.settings import Settings
from retrolean.evals.fresh import FreshResult, like_snapshot, split_disjoint, unused_seed
from retrolean.evals.runs import DISJOINT, RunView
from retrolean.evals.stats import summarize
from retrolean.evals.text_measures import NEAR_DUPLICATE
from retrolean.memory.atomic import write_text_atomic
from retrolean.memory.errors import UserError
from retrolean.memory.runs import locate_run
from retrolean.memory.workspace import Workspace
from retrolean.tools.save_set import save_set

log = logging.getLogger(__name__)


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


def make_fresh_set(settings: Settings, like_ref: str, n: int, seed: int | None = None,
                   threshold: float = NEAR_DUPLICATE,
                   progress: Progress | None = None) -> FreshResult:
    """Run the earlier run's recipe with a new seed, then remove what overlaps the earlier run."""
    workspace = Workspace(settings.workspace)
    like = RunView.open(locate_run(workspace, like_ref))
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

