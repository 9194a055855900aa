"""The run's ledger of model calls: one entry per phase that called the model.

A phase is each planning (the first plan, a replan, a revision from the
user's words) and each attempt of each stage. Entries live in the graph state
(`RunState["calls"]`), so they are checkpointed and a resumed run keeps them;
report.md sums them, so every request the run sent — attempts, re-asks,
retries, the planner's, the judge's — is counted once, with its tokens, and
a retried stage shows each attempt rather than its last.

Example:
    calls = with_entry(state.get("calls"), "plan", planner.take_spent())
    total(calls).requests -> every HTTP request of the run so far
"""

from __future__ import annotations

from typing import Any

from retrolean.recipes.backends.calls import CallTotals


def with_entry(calls: list[dict[str, Any]] | None, phase: str, totals: CallTotals,
               attempt: int | None = None) -> list[dict[str, Any]]:
    """The ledger with one more entry (none when the phase made no call).

    Example: with_entry([], "formalize", CallTotals(calls=3, requests=4), attempt=1)
             -> [{"phase": "formalize", "attempt": 1, "calls": 3, "requests": 4, …}]
    """
    calls = list(calls or [])
    if totals.calls or totals.requests:
        number = attempt if attempt is not None else 1 + sum(e["phase"] == phase for e in calls)
        calls.append({"phase": phase, "attempt": number, **totals.model_dump()})
    return calls


def entry_totals(entry: dict[str, Any]) -> CallTotals:
    """The totals an entry holds."""
    return CallTotals(**{k: v for k, v in entry.items() if k in CallTotals.model_fields})


def total(calls: list[dict[str, Any]] | None) -> CallTotals:
    """The sum over every entry."""
    result = CallTotals()
    for entry in calls or []:
        result = result.plus(entry_totals(entry))
    return result
