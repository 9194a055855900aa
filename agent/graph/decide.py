"""What the agent does after a stage: continue, retry with changed parameters, replan, or stop.

The decision compares the stage's observed yield with the plan's expectation
(`min_yield`), counts attempts, and checks the budget. A retry names the stage
to go back to (a poor round trip is fixed by captioning again, not by
re-reading the same captions) and what it changes that matters on the backend
in use (`levers.py`); where nothing can change, the decision says so and does
not retry. After the last stage the decision is `finish`. Pure functions over
plain data, so every rule has a test.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from retrolean.agent.graph.levers import BackendTraits, retry_move
from retrolean.recipes.recipe import Parameters, StageSpec
from retrolean.traces.block_data import Decision


class Budget(BaseModel):
    """Limits of one run; None means unlimited."""

    seconds: float | None = None
    model_calls: int | None = None
    tokens: int | None = None
    max_attempts: int = Field(2, ge=1)  # attempts per stage, the first included


class Spent(BaseModel):
    seconds: float = 0.0
    model_calls: int = 0
    tokens: int = 0


def over_budget(budget: Budget, spent: Spent) -> str | None:
    """Which limit is exhausted, if any."""
    if budget.seconds is not None and spent.seconds >= budget.seconds:
        return f"time budget of {budget.seconds:g} s used ({spent.seconds:.1f} s)"
    if budget.model_calls is not None and spent.model_calls >= budget.model_calls:
        return f"model-call budget of {budget.model_calls} used"
    if budget.tokens is not None and spent.tokens >= budget.tokens:
        return f"token budget of {budget.tokens} used"
    return None


def decide(stage: StageSpec, records_in: int, records_out: int, attempt: int,
           params: Parameters, budget: Budget, spent: Spent, is_last: bool,
           backend: BackendTraits, can_replan: bool = False) -> Decision:
    """The next move after `stage` kept `records_out` of `records_in` on attempt `attempt`."""
    exhausted = over_budget(budget, spent)
    if exhausted:
        if is_last:
            return Decision(action="finish", reason=f"all stages done; {exhausted}")
        return Decision(action="stop", reason=f"stopping: {exhausted}")
    observed = records_out / records_in if records_in else 0.0
    expected = stage.min_yield
    short = records_out == 0 or (expected is not None and observed < expected)
    onward = "finish" if is_last else "continue"
    if not short:
        met = f"yield {observed:.0%}" + (f" meets the expectation (≥ {expected:.0%})"
                                         if expected is not None else "")
        return Decision(action=onward, reason=met + ("; all stages done" if is_last else ""))
    what = f"yield {observed:.0%} ({records_out}/{records_in})" + (
        f" is below the expectation (≥ {expected:.0%})" if expected is not None else "")
    held = ""
    if attempt + 1 < budget.max_attempts:
        move = retry_move(stage.name, params, backend)
        if move.worth_it:
            return Decision(action="retry", retry_from=move.target, changes=move.changes,
                            reason=f"{what}; retrying from {move.target} with "
                                   f"{move.describe(params)}")
        held = (f"; not retrying: nothing the {backend.name} backend honours can change "
                f"{move.target}'s result" + (f" ({'; '.join(move.blocked)})" if move.blocked
                                             else ""))
    tries = f" after {attempt + 1} attempt{'s' if attempt else ''}"
    if can_replan:
        return Decision(action="replan", reason=f"{what}{tries}{held}; replanning")
    if records_out == 0:
        return Decision(action="stop", reason=f"{what}{tries}{held}; nothing left to work on")
    return Decision(action=onward, reason=f"{what}{tries}{held}; "
                    + ("all stages done" if is_last else "continuing with what passed"))
