"""Benchmark: the whole recipe on the template backend, N problems, figures per stage.

Usage: python bench/template_throughput.py [--n 200] [--seed 1]

Prints records per second per stage (records in / stage seconds) and overall
(problems sampled / wall time of the whole run, the embedding table's load,
imports of the run and git commits included). Target: 200 problems through all
stages in under 20 s on a 2-core machine. The machine may be shared: report
`uptime`'s load beside the figure, and the CPU seconds `/usr/bin/time -v` gives.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

T0 = time.perf_counter()

from retrolean.agent.pipeline import RunOptions  # noqa: E402 - timed imports
from retrolean.agent.runner import drive, start  # noqa: E402 - timed imports
from retrolean.agent.settings import Settings  # noqa: E402 - timed imports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(workspace=Path(tmp) / "ws", formal="smtlib2")
        t_start = time.perf_counter()
        session = start(settings, RunOptions(goal="benchmark", n=args.n, seed=args.seed))
        state = drive(session)
        session.close()
        wall = time.perf_counter() - t_start
    imports = t_start - T0
    language = session.runtime.prepared.ctx.language
    print(f"template backend, n = {args.n}, seed = {args.seed}, language = {language}, "
          f"status = {state['status']}")
    print(f"{'stage':>14} {'in':>5} {'out':>5} {'seconds':>8} {'records/s':>10}")
    rows = [state["rows"][s["name"]] for s in state["plan"]["stages"] if s["name"] in state["rows"]]
    for r in rows:
        rate = r["records_in"] / r["seconds"] if r["seconds"] > 0 else float("inf")
        print(f"{r['stage']:>14} {r['records_in']:>5} {r['records_out']:>5} "
              f"{r['seconds']:>8.2f} {rate:>10.1f}")
    final = rows[-1]["records_out"]
    print(f"imports {imports:.1f} s; run wall time {wall:.1f} s (model load, sets, commits, "
          f"report included); total {imports + wall:.1f} s")
    print(f"overall: {args.n / wall:.1f} problems/s sampled, {final} finished "
          f"({final / wall:.2f} finished/s); target: {args.n} problems in < 20 s -> "
          f"{'met' if imports + wall < 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
