"""The user's words applied to a run: edits of the plan at review, steering between stages.

Each answer is read by the rule set (`edits.py`) against the parameters and
domains in force, and what became of it is said twice: in the trace (an
orientation block with the changes) and on the user's screen (`Runtime.notify`),
one line per change — "applied: frame_shift_rate 0.5 → 1.0" — and one per
thing not understood or not applied, with the reason. Between stages only
changes that reach a stage still to run are applied; the domains and what is
drawn at sampling are fixed once the first stage has run, and the line says so.

With a model planner, the user's words also go to the planner
(`Planner.revise`), which may revise the stages still to run and the
parameters; where it and the rules set the same parameter, the planner's
reading holds, and what it clamped or refused is said. A revision that is not
a valid plan (e.g. one that drops a check) is refused: the stages stay as they
were and the trace says so. The planner's calls go to the run's ledger.
"""

from __future__ import annotations

from typing import Any

from retrolean.agent.domain_choice import DomainSelection
from retrolean.agent.graph.edits import HINT, Edits, parse_edits
from retrolean.agent.graph.levers import BackendTraits, steer_reach
from retrolean.agent.graph.runtime import Runtime
from retrolean.agent.graph.state import RunState
from retrolean.agent.ledger import with_entry
from retrolean.recipes.recipe import Recipe
from retrolean.traces.block_data import Decision, OrientationData

STOP_WORDS = {"n", "no", "reject", "cancel", "abort", "quit", "stop"}


def selection_of(rt: Runtime, state: RunState) -> DomainSelection:
    """The domains in force: the user's last edit, else what the run was prepared with."""
    chosen = state.get("domains")
    return DomainSelection.model_validate(chosen) if chosen else rt.prepared.selection


def backend_traits(rt: Runtime) -> BackendTraits:
    """The run backend's name and the parameters it honours."""
    backend = rt.prepared.ctx.backend
    return BackendTraits(backend.name, backend.honours)


def tell(rt: Runtime, lines: list[str], **data: Any) -> None:
    """Say the lines on the user's screen and note them in the trace as one orientation."""
    if not lines:
        return
    for line in lines:
        rt.notify(line)
    rt.trace.write("orientation", "\n".join(lines), data=OrientationData(**data))


def _edits(rt: Runtime, state: RunState, recipe: Recipe, text: str) -> Edits:
    return parse_edits(text, recipe.parameters, sorted(rt.prepared.ctx.personas),
                       rt.prepared.words, selection_of(rt, state))


def _revise(rt: Runtime, state: RunState, recipe: Recipe, words: str, keep: list[str],
            lines: list[str]) -> tuple[RunState, dict[str, Any]]:
    """Ask the model planner for a revision (none on the template backend): the state update
    (revised plan, the ledger with its calls) and the parameter changes it proposes; `lines`
    gets what the user should read about it."""
    if rt.planner is None:
        return {}, {}
    revision = rt.planner.revise(state["goal"], state["plan"], words, recipe.parameters,
                                 keep=keep)
    update: RunState = {"calls": with_entry(state.get("calls"), "plan",
                                            rt.planner.take_spent())}
    if revision is None:
        rt.trace.write("orientation", f"The planner gave no valid revision for: {words} "
                       "(see the errors above); the stages stay as they were.")
        lines.append("not applied: the planner's revision (not a valid plan); the stages "
                     "stay as they were")
        return update, {}
    rt.trace.write("orientation", revision.describe(words),
                   data=OrientationData(plan=revision.plan, overrides=revision.changes))
    update["plan"] = revision.plan
    lines.append("the planner revised the stages: "
                 + " -> ".join(s["name"] for s in revision.plan["stages"]))
    lines += [f"planner: {note}" for note in revision.notes]
    return update, revision.changes


def edit_plan(rt: Runtime, state: RunState, recipe: Recipe, text: str) -> RunState:
    """The state update for the user's edit of the plan, told on screen and in the trace."""
    edits = _edits(rt, state, recipe, text)
    lines = [f"applied: {line}" for line in edits.applied]
    lines += [f"not applied: {p}" for p in edits.problems]
    update, proposed = _revise(rt, state, recipe, text, [], lines)
    by_model = {k: v for k, v in proposed.items() if edits.changes.get(k) != v}
    lines += [f"applied: {k} → {v} (the planner's reading)" for k, v in by_model.items()]
    if rt.planner is not None:
        lines += [f"left to the planner: {u!r}" for u in edits.not_understood]
    else:
        lines += [f"not understood: {u!r} — {HINT}" for u in edits.not_understood]
    if not edits.applied and not by_model and "plan" not in update:
        lines.append("the plan is unchanged")
    overrides = {**(state.get("overrides") or {}), **edits.changes, **proposed}
    if edits.changes or proposed:
        update["overrides"] = overrides
    if edits.domains is not None:
        update["domains"] = edits.domains.model_dump()
    tell(rt, lines, overrides=overrides, plan=update.get("plan"))
    return update


def steer(rt: Runtime, state: RunState, recipe: Recipe, decision: Decision, answer: str,
          done: list[str]) -> tuple[Decision, RunState]:
    """The decision after the user's words between stages (`done`: the stages already run),
    and what else they change in the state (a plan the model planner revised, its calls)."""
    if not answer.strip():
        return decision, {}
    rt.trace.write("user", answer)
    if answer.strip().lower() in STOP_WORDS:
        tell(rt, ["stopping here; the run can be resumed from the next stage"])
        return Decision(action="stop", reason="stopped by the user between stages"), {}
    edits = _edits(rt, state, recipe, answer)
    lines: list[str] = []
    update, proposed = _revise(rt, state, recipe, answer, done, lines)
    plan = update.get("plan", state["plan"])
    remaining = [s["name"] for s in plan["stages"] if s["name"] not in done]
    backend = backend_traits(rt)
    changes = {}
    for name, value in {**edits.changes, **proposed}.items():
        why_not = steer_reach(name, remaining, backend)
        line = (f"{name} → {value} (the planner's reading)" if name in proposed
                and edits.changes.get(name) != value else
                next((a for a in edits.applied if a.startswith(("persona weights", f"{name} "))),
                     f"{name} → {value}"))
        if why_not:
            lines.append(f"not applied: {line} — {why_not}")
        else:
            changes[name] = value
            lines.append(f"applied: {line}")
    if edits.domains is not None:
        lines.append("not applied: domains — problems are drawn before the first stage; a new "
                     "run can change them")
    lines += [f"not applied: {p}" for p in edits.problems]
    if rt.planner is not None:
        lines += [f"left to the planner: {u!r}" for u in edits.not_understood]
    else:
        lines += [f"not understood: {u!r} — {HINT}" for u in edits.not_understood]
    if not changes and "plan" not in update:
        lines.append("nothing changed; going on")
    tell(rt, lines, overrides={**(state.get("overrides") or {}), **changes})
    if not changes and "plan" not in update:
        return decision, update
    reason = decision.reason + f"; steered by the user: {changes or answer}"
    return decision.model_copy(update={"changes": changes, "reason": reason}), update
