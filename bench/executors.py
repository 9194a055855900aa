"""Benchmark: the local executor against Ray on this machine, same problems, same seed.

Usage: python bench/executors.py [--n 2000] [--seed 1] [--shard-size 1000] [--first local]
       (on a shared machine: `unshare -n bash -c 'ip link set lo up && python …'` keeps
       Ray on loopback)

Runs the whole recipe on the template backend twice in fresh workspaces — once with
`--executor local`, once with `--executor ray` (a local Ray started by the run) — and
prints records per second per stage (records in / stage seconds) and overall
(problems / wall time), Ray's overhead as a ratio (target: Ray at most 15% slower
than local on one machine: the point of Ray is scale-out), whether the two runs'
sets are identical, and the machine's load average (`uptime`) before and after each
run, since a busy machine makes every figure here unreliable.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from retrolean.agent.pipeline import RunOptions
from retrolean.agent.runner import drive, start
from retrolean.agent.settings import Settings
from retrolean.memory.runs import read_run_set, set_names


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(executor: str, n: int, seed: int, shard_size: int, root: Path) -> dict[str, Any]:
    """One run; its rows, wall time, run directory and the load around it."""
    settings = Settings(workspace=root / executor, formal="smtlib2", executor=executor,
                        shard_size=shard_size)
    before = load()
    t0 = time.perf_counter()
    session = start(settings, RunOptions(goal="benchmark", n=n, seed=seed))
    ready = time.perf_counter() - t0
    state = drive(session)
    session.close()
    wall = time.perf_counter() - t0
    rows = [state["rows"][s["name"]] for s in state["plan"]["stages"]
            if s["name"] in state["rows"]]
    return {"rows": rows, "wall": wall, "ready": ready, "run_dir": session.runtime.run_dir,
            "load": (before, load()), "status": state["status"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shard-size", type=int, default=1000)
    parser.add_argument("--first", choices=["local", "ray"], default="local")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep both workspaces under this directory (default: a temporary one)")
    args = parser.parse_args()
    order = ["local", "ray"] if args.first == "local" else ["ray", "local"]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        runs = {name: run(name, args.n, args.seed, args.shard_size, root) for name in order}
        differ = first_difference(runs["local"]["run_dir"], runs["ray"]["run_dir"])
        same = differ is None
    print(f"template backend, n = {args.n}, seed = {args.seed}, shard size "
          f"{args.shard_size}, {os.cpu_count()} CPUs")
    print(f"{'stage':>14} {'in':>6} {'local s':>8} {'rec/s':>7} {'ray s':>8} {'rec/s':>7} "
          f"{'ray/local':>9}")
    for lo, ra in zip(runs["local"]["rows"], runs["ray"]["rows"], strict=True):
        ratio = ra["seconds"] / lo["seconds"] if lo["seconds"] else float("nan")
        print(f"{lo['stage']:>14} {lo['records_in']:>6} {lo['seconds']:>8.2f} "
              f"{lo['records_in'] / max(lo['seconds'], 1e-9):>7.1f} {ra['seconds']:>8.2f} "
              f"{ra['records_in'] / max(ra['seconds'], 1e-9):>7.1f} {ratio:>9.2f}")
    stage_s = {k: sum(r["seconds"] for r in v["rows"]) for k, v in runs.items()}
    for name in order:
        r = runs[name]
        print(f"{name:>6}: stages {stage_s[name]:.1f} s, wall {r['wall']:.1f} s "
              f"({args.n / r['wall']:.1f} problems/s; start-up {r['ready']:.1f} s), "
              f"status {r['status']}, load before {r['load'][0]} / after {r['load'][1]}")
    ratio = stage_s["ray"] / stage_s["local"]
    wall_ratio = runs["ray"]["wall"] / runs["local"]["wall"]
    print(f"ray/local: stages {ratio:.2f}, wall {wall_ratio:.2f} (target <= 1.15: "
          f"{'met' if wall_ratio <= 1.15 else 'NOT met'}); sets identical: {same}"
          + (f" (first difference: {differ})" if differ else ""))


def first_difference(a: Path, b: Path) -> str | None:
    """Where two runs' sets first differ (set, record id, key), or None when they do not."""
    names = set_names(a)
    if names != set_names(b):
        return f"set names {sorted(names ^ set_names(b))}"
    for name in names:
        left, right = read_run_set(a, name), read_run_set(b, name)
        if left == right:
            continue
        for x, y in zip(left, right, strict=False):
            if x != y:
                keys = sorted(k for k in x.keys() | y.keys() if x.get(k) != y.get(k))
                return f"{name}: record {x.get('id')} / {y.get('id')}, keys {keys}"
        return f"{name}: {len(left)} records against {len(right)}"
    return None


if __name__ == "__main__":
    main()
