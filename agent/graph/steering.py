"""The user's words applied to a run: edits of the plan at review, steering between stages.

Each answer is read by the rule set (`edits.py`) against the parameters and
domains in force, and what became of it is said twice: in the trace (an
orientation block with the changes) and on the user's screen (`Runtime.notify`),
one line per change — "applied: frame_shift_rate 0.5 → 1.0" — and one per
thing not understood or not applied, with the reason. Between stages only
changes that reach a stage still to run are applied; the domains and what is
drawn at sampling are fixed once the first stage has run, and the line says so.

With a model planner, the plan edit also goes to the planner, which may
revise the stages; what the rules did not read is left to it.
"""

from __future__ import annotations

from typing import Any

from retrolean.agent.domain_choice import DomainSelection
from retrolean.agent.graph.edits import HINT, Edits, parse_edits
from retrolean.agent.graph.levers import BackendTraits, steer_reach
from retrolean.agent.graph.runtime import Runtime
from retrolean.agent.graph.state import RunState
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


def edit_plan(rt: Runtime, state: RunState, recipe: Recipe, text: str) -> RunState:
    """The state update for the user's edit of the plan, told on screen and in the trace."""
    edits = _edits(rt, state, recipe, text)
    update: RunState = {}
    lines = [f"applied: {line}" for line in edits.applied]
    lines += [f"not applied: {p}" for p in edits.problems]
    if rt.planner is not None:
        revised = rt.planner(state["goal"], state["plan"], f"The user asks: {text}")
        if revised is not None:
            update["plan"] = revised
            lines.append("the planner revised the stages as asked")
        lines += [f"left to the planner: {u!r}" for u in edits.not_understood]
    else:
        lines += [f"not understood: {u!r} — {HINT}" for u in edits.not_understood]
    if not edits.applied and "plan" not in update:
        lines.append("the plan is unchanged")
    overrides = {**(state.get("overrides") or {}), **edits.changes}
    if edits.changes:
        update["overrides"] = overrides
    if edits.domains is not None:
        update["domains"] = edits.domains.model_dump()
    tell(rt, lines, overrides=overrides, plan=update.get("plan"))
    return update


def steer(rt: Runtime, state: RunState, recipe: Recipe, decision: Decision, answer: str,
          remaining: list[str]) -> Decision:
    """The decision after the user's words between stages (`remaining`: stages still to run)."""
    if not answer.strip():
        return decision
    rt.trace.write("user", answer)
    if answer.strip().lower() in STOP_WORDS:
        tell(rt, ["stopping here; the run can be resumed from the next stage"])
        return Decision(action="stop", reason="stopped by the user between stages")
    edits = _edits(rt, state, recipe, answer)
    backend = backend_traits(rt)
    changes, lines = {}, []
    for name, value in edits.changes.items():
        why_not = steer_reach(name, remaining, backend)
        line = next((a for a in edits.applied if a.startswith(("persona weights", f"{name} "))),
                    f"{name} → {value}")
        if why_not:
            lines.append(f"not applied: {line} — {why_not}")
        else:
            changes[name] = value
            lines.append(f"applied: {line}")
    if edits.domains is not None:
        lines.append("not applied: domains — problems are drawn before the first stage; a new "
                     "run can change them")
    lines += [f"not applied: {p}" for p in edits.problems]
    lines += [f"not understood: {u!r} — {HINT}" for u in edits.not_understood]
    if not changes:
        lines.append("nothing changed; going on")
    tell(rt, lines, overrides={**(state.get("overrides") or {}), **changes})
    if not changes:
        return decision
    return decision.model_copy(update={"changes": changes, "reason": decision.reason
                                       + f"; steered by the user: {changes}"})
