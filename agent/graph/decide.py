"""What the agent does after a stage: continue, retry with changed parameters, replan, or stop.

The decision compares the stage's observed yield with the plan's expectation
(`min_yield`), counts attempts, and checks the budget. A retry names the stage
to go back to (a poor round trip is fixed by captioning again, not by
re-reading the same captions) and the parameter changes that should help.
Pure functions over plain data, so every rule has a test.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

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


# Where to go back to, and what to change, when a stage falls short of its expectation.
RETRY_FROM = {"presence": "formalize", "roundtrip": "caption", "fill_in": "missing"}


def retry_changes(stage: str, params: Parameters) -> dict[str, Any]:
    """Parameter changes expected to raise a stage's yield."""
    changes: dict[str, Any] = {"temperature_scale": round(params.temperature_scale * 0.7, 3)}
    if stage in ("formalize", "presence"):
        changes["guided_link_rate"] = round(min(1.0, params.guided_link_rate + 0.2), 3)
    if stage in ("caption", "roundtrip"):
        changes["caption_concise_rate"] = 0.0
    return changes


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
           can_replan: bool = False) -> Decision:
    """The next move after `stage` kept `records_out` of `records_in` on attempt `attempt`."""
    exhausted = over_budget(budget, spent)
    if exhausted:
        return Decision(action="stop", reason=f"stopping: {exhausted}")
    observed = records_out / records_in if records_in else 0.0
    expected = stage.min_yield
    short = records_out == 0 or (expected is not None and observed < expected)
    if not short:
        met = f"yield {observed:.0%}" + (f" meets the expectation (≥ {expected:.0%})"
                                         if expected is not None else "")
        return Decision(action="continue", reason=met + ("; all stages done" if is_last else ""))
    what = f"yield {observed:.0%} ({records_out}/{records_in})" + (
        f" is below the expectation (≥ {expected:.0%})" if expected is not None else "")
    if attempt + 1 < budget.max_attempts:
        target = RETRY_FROM.get(stage.name, stage.name)
        changes = retry_changes(stage.name, params)
        return Decision(action="retry", retry_from=target, changes=changes,
                        reason=f"{what}; retrying from {target} with {changes}")
    if can_replan:
        return Decision(action="replan", reason=f"{what} after {attempt + 1} attempts; replanning")
    if records_out == 0:
        return Decision(action="stop", reason=f"{what} after {attempt + 1} attempts; nothing "
                        "left to work on")
    return Decision(action="continue", reason=f"{what} after {attempt + 1} attempts; "
                    "continuing with what passed")
