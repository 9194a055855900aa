"""Benchmark: SMT-LIB checks per second, Z3 in-process (the old design) vs screened workers.

Usage: python bench/smt_check.py [--n 400] [--threads 1 2]

Texts are the template backend's real problems (one to three domains, as
the recipe draws them, plus each part alone, as `formalize_spec` solves
them). Three rows per thread count: Z3 called in this process as
`smt_check` did before the screen (a fresh context, `from_string`, `check`,
the model); the screen alone; and `smt_check` today (screen, then a pool
worker). The pool is started before timing: its start-up, paid once per
process, is printed separately.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import z3

from retrolean.skills.formalize.template import formalize_spec, render
from retrolean.skills.problems.registry import gadget_domains
from retrolean.skills.problems.spec import ProblemSpec
from retrolean.tools.smt_check import screen, smt_check
from retrolean.tools.smt_check.budget import Budget, budgeted_solver, decide
from retrolean.tools.smt_check.pool import Z3Pool, pool_for


def in_process(text: str) -> bool:
    """Z3 in this process, as the worker runs it (the same solver and budget), unconfined."""
    budget = Budget.of(5000)
    solver = budgeted_solver(z3.Context(), budget)
    solver.from_string(text)
    result, _why = decide(solver, budget)
    if result == z3.sat:
        solver.model()
    return result == z3.sat


def screened_in_process(text: str) -> bool:
    """The screen, then Z3 in this process: what the pool's process boundary is measured against."""
    return in_process(screen(text).z3_text)


def problems(n: int, seed: int = 1) -> list[str]:
    """n SMT-LIB texts: template problems over 1-3 domains and their parts alone."""
    rng = random.Random(seed)
    domains = gadget_domains()
    out: list[str] = []
    while len(out) < n:
        chosen = rng.sample(domains, rng.randint(1, 3))
        spec = formalize_spec(chosen, None, rng)
        out.append(render(spec, "smtlib2"))
        for d in chosen:
            out.append(render(ProblemSpec(domains=[d], params={d: spec.params[d]}), "smtlib2"))
    return out[:n]


def rate(check: Callable[[str], object], texts: list[str], threads: int) -> float:
    """Checks per second over all texts, best of five runs."""
    best = []
    for _ in range(5):
        start = time.perf_counter()
        if threads == 1:
            for t in texts:
                check(t)
        else:
            with ThreadPoolExecutor(max_workers=threads) as pool:
                list(pool.map(check, texts))
        best.append(len(texts) / (time.perf_counter() - start))
    return max(best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    texts = problems(args.n)
    print(f"{len(texts)} template problems, median {statistics.median(map(len, texts)):.0f} "
          "characters")
    start = time.perf_counter()
    with Z3Pool(2048, size=1) as fresh:
        fresh.check(screen(texts[0]).z3_text, 5000)
    print(f"one worker starts and answers its first check in "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")
    pool = pool_for(2048)
    list(ThreadPoolExecutor(max(args.threads)).map(smt_check, texts[:8]))  # start the workers
    assert all(smt_check(t).ok == in_process(t) for t in texts[:50]), "designs disagree"
    print(f"{'threads':>7} {'design':>34} {'checks/s':>9} {'ms/check':>9}")
    for threads in args.threads:
        for name, check in (("Z3 in-process (before)", in_process),
                            ("screen only", screen),
                            ("screen + Z3 in-process", screened_in_process),
                            ("screen + worker pool (smt_check)", smt_check)):
            r = rate(check, texts, threads)
            print(f"{threads:>7} {name:>34} {r:>9.0f} {1000 / r:>9.2f}")
    print(f"pool: {pool.workers.size} workers")


if __name__ == "__main__":
    main()
