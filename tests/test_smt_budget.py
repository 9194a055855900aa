"""Z3's step budget: a query is decided, or not, the same way on a quiet or a loaded machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import z3

from retrolean.tools.smt_check import smt_check
from retrolean.tools.smt_check.budget import (
    OUT_OF_STEPS,
    PAST_BACKSTOP,
    Budget,
    budgeted_solver,
    decide,
    gave_up,
)
from retrolean.tools.smt_proofs import interaction

# A three-domain problem whose second link Z3's default strategy decided in 0.4 s on a quiet
# machine and gave up on at 5 s beside busy processes (its QF_NIA tactic switches strategy on
# the wall clock), so runs with different batch sizes kept different problems.
LINK_UNDER_LOAD = Path(__file__).parent / "data" / "smt_proofs" / "link_under_load.smt2"
DOMAINS = {"knapsack": [r"^knap_"], "pythagorean_triples": [r"^pyth_"],
           "knitting_patterns": [r"^stitch_"]}
# A recipe problem Z3's SMT core alone spent over 40 s on; the chain decides it in 25 ms.
PLAIN_CORE_STALLS = Path(__file__).parent / "data" / "smt_proofs" / "plain_core_stalls.smt2"
HARD = ("(declare-const x Int)(declare-const y Int)(declare-const z Int)"
        "(assert (> x 2))(assert (> y 2))(assert (> z 2))"
        "(assert (= (+ (* x x x) (* y y y)) (* z z z)))")  # no solution; Z3 cannot prove it


def test_a_budget_is_steps_with_a_wall_clock_backstop():
    assert Budget.of(5000) == Budget(steps=50_000_000, wall_ms=40_000)
    assert Budget.of(0).steps > 0


def steps_to_decide(text: str, before: list[str] = ()) -> tuple[str, int]:
    """The answer and the steps Z3 spent on `text`, in a fresh context after `before`."""
    for other in before:
        solver = budgeted_solver(z3.Context(), Budget.of(1000))
        solver.from_string(other)
        decide(solver, Budget.of(1000))
    solver = budgeted_solver(z3.Context(), Budget.of(5000))
    solver.from_string(text)
    result, _why = decide(solver, Budget.of(5000))
    return str(result), int(solver.statistics().get_key_value("rlimit count"))


def test_the_steps_a_query_takes_do_not_depend_on_what_ran_before():
    text = LINK_UNDER_LOAD.read_text()
    history = [f"(declare-const q{i} Int)(assert (= (* q{i} q{i}) {i * i}))" for i in range(30)]
    assert steps_to_decide(text) == steps_to_decide(text, history) == steps_to_decide(text)


def test_the_chain_decides_what_the_plain_core_stalls_on():
    v = smt_check(PLAIN_CORE_STALLS.read_text())
    assert v.ok and v.status == "sat" and v.witness


def test_out_of_steps_is_undecided_and_said_so():
    budget = Budget.of(20)
    solver = budgeted_solver(z3.Context(), budget)
    solver.from_string(HARD)
    result, why = decide(solver, budget)
    assert result == z3.unknown and why == OUT_OF_STEPS
    assert gave_up(why, 20) == "Z3 used its whole budget (200,000 steps, about 20 ms)"
    assert "backstop (160 ms)" in gave_up(PAST_BACKSTOP, 20)


def test_a_link_proof_is_decided_the_same_alone_and_beside_busy_processes():
    alone = interaction(LINK_UNDER_LOAD.read_text(), DOMAINS)
    assert alone.links == 2 and alone.vacuous_at == [0] and not alone.undecided
    cpu = min(os.sched_getaffinity(0))  # the child gets 1/8 of it: the old way gave up there
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(7)]
    try:
        for p in busy:
            os.sched_setaffinity(p.pid, {cpu})
        code = ("import json, os, sys; from pathlib import Path\n"
                f"os.sched_setaffinity(0, {{{cpu}}})\n"
                "from retrolean.tools.smt_proofs import interaction\n"
                "r = interaction(Path(sys.argv[1]).read_text(), json.loads(sys.argv[2]))\n"
                "print(r.model_dump_json())")
        out = subprocess.run([sys.executable, "-c", code, str(LINK_UNDER_LOAD),
                              json.dumps(DOMAINS)], capture_output=True, text=True, check=True,
                             timeout=300)
    finally:
        for p in busy:
            p.kill()
            p.wait()
    loaded = json.loads(out.stdout)
    assert loaded["vacuous_at"] == [0] and loaded["undecided"] == []
    assert loaded["redundant"] == alone.redundant
