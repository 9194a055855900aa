"""Z3's budget per query: a count of Z3's own steps, so an answer does not depend on the clock.

A wall-clock limit makes the answer depend on the machine and its load: the same
query is decided on a quiet machine and undecided beside busy Ray workers, and a
run then no longer gives the same records for the same seed. Measured here: a
link-redundancy query that Z3 decides in 0.36 s alone gave up at 5 s on a loaded
2-core machine, because Z3's default QF_NIA strategy gives its first solver 2 s
of *wall-clock* time before it switches to a slower one.

So every query runs through a fixed chain with no step that switches on the
clock — simplify, propagate values, solve equations, then Z3's SMT core (the
core alone, without that preprocessing, spent over 40 s on a problem the chain
decides in 25 ms) — under a resource limit (`rlimit`, Z3's count of its own
steps) converted from the configured milliseconds at a fixed rate; the wall
clock only stops a query that runs far past that (BACKSTOP times), which on a
machine that is not starved should not happen before the step limit. Measured
on 4,000 recipe problems and 6,262 link proofs: every answer the same as Z3's
default strategy, the slowest 1.1 s.

This module imports only the standard library and z3: the Z3 worker process
(`worker.py`, run as a file) loads it from its own directory.

Trade-off: STEPS_PER_MS is one rate measured on this machine's Z3 (about 10,000
steps per ms on the recipe's problems; single queries ranged from 1,000 to
150,000), so "5000 ms" is a budget of 50 million steps, which a faster machine
spends in less time and a slower one in more. A query whose steps tick slowly
can still reach the backstop first, and then its answer depends on the clock
again (none did in the figures above). The chain lacks Z3's nonlinear-real
solver (nlsat) and bit-blasting; such a query comes back undecided, never as a
pass.

Example: Budget.of(5000) -> Budget(steps=50000000, wall_ms=40000)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import z3

STEPS_PER_MS = 10_000  # Z3 rlimit steps per millisecond of budget (measured; see above)
BACKSTOP = 8  # the wall clock stops a query at this many times its budget
OUT_OF_STEPS = "out of steps"
PAST_BACKSTOP = "past the wall-clock backstop"


@dataclass(frozen=True)
class Budget:
    """One query's limits: Z3 steps (they decide) and wall-clock milliseconds (a backstop)."""

    steps: int
    wall_ms: int

    @classmethod
    def of(cls, timeout_ms: int) -> Budget:
        """The budget for a configured limit in milliseconds."""
        ms = max(1, int(timeout_ms))
        return cls(steps=ms * STEPS_PER_MS, wall_ms=ms * BACKSTOP)


CHAIN = ("simplify", "propagate-values", "solve-eqs", "smt")  # no step looks at the clock


def budgeted_solver(ctx: z3.Context, budget: Budget) -> z3.Solver:
    """A solver in `ctx` running CHAIN, limited by `budget`."""
    solver = z3.Then(*(z3.Tactic(name, ctx=ctx) for name in CHAIN)).solver()
    solver.set("rlimit", budget.steps)
    solver.set("timeout", budget.wall_ms)
    return solver


def decide(solver: z3.Solver, budget: Budget) -> tuple[z3.CheckSatResult, str]:
    """Check the solver; for `unknown`, why: out of steps, past the backstop, or Z3's reason."""
    start = time.monotonic()
    try:
        result = solver.check()
    except z3.Z3Exception as e:  # e.g. out of memory: an answer of no kind
        raw = e.value.decode(errors="replace") if isinstance(e.value, bytes) else str(e.value)
        return z3.unknown, raw
    if result != z3.unknown:
        return result, ""
    why = solver.reason_unknown()
    if why == "canceled":  # Z3 says so for both limits; the clock tells them apart
        spent_ms = (time.monotonic() - start) * 1000
        why = PAST_BACKSTOP if spent_ms >= 0.9 * budget.wall_ms else OUT_OF_STEPS
    return result, why


def out_of_budget(why: str) -> bool:
    """Whether an `unknown` was the budget's doing (steps or backstop), not Z3's incompleteness."""
    return why in (OUT_OF_STEPS, PAST_BACKSTOP) or "timeout" in why


def gave_up(why: str, timeout_ms: int) -> str:
    """One line saying why Z3 did not decide a query."""
    budget = Budget.of(timeout_ms)
    if why == OUT_OF_STEPS:
        return f"Z3 used its whole budget ({budget.steps:,} steps, about {timeout_ms} ms)"
    if why == PAST_BACKSTOP or "timeout" in why:
        return f"Z3 ran past the wall-clock backstop ({budget.wall_ms} ms)"
    return f"Z3 gave up: {why}"
