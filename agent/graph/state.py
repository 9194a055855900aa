"""The graph's state: small, JSON-plain, checkpointed after every node.

Records are not in the state: each stage reads its input set from the run's
`sets/` directory and writes its output there (atomically), so a checkpoint
stays small and a resumed stage redoes exactly one stage from its input.
"""

from __future__ import annotations

from typing import Any, TypedDict


class RunState(TypedDict, total=False):
    goal: str
    plan: dict[str, Any]  # {"source": ..., "rationale": ..., "stages": [StageSpec dicts]}
    approved: bool
    status: str  # planning | running | finished | stopped | rejected
    stage: int  # index of the stage to act on next
    attempts: dict[str, int]  # stage name -> attempts made
    overrides: dict[str, Any]  # recipe parameter overrides in force
    domains: dict[str, Any]  # the DomainSelection the user chose in chat (else the run's)
    rows: dict[str, dict[str, Any]]  # stage name -> its last StageYield (as a dict)
    decision: dict[str, Any]  # the last Decision
    replans: int
    spent_seconds: float  # wall time of finished nodes, accumulated across resumes
    calls: list[dict[str, Any]]  # model calls per phase (agent/ledger.py)
