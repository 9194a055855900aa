"""Ray scenarios on a real three-node cluster, run inside a loopback-only network namespace.

Usage (what tests/test_ray_executor.py does, as root):
    unshare -n -p -f --mount-proc bash -c 'ip link set lo up && python tests/ray_scenarios.py OUT'

Starts a head and two worker nodes with `ray start` on 127.0.0.1 (the namespace has
no other interface, so nothing can leave the machine), then with the template backend:
1. a local run and a Ray run of the same seed (Ray with small batches);
2. a Ray run during which a checker actor and a stage worker actor are killed
   (SIGKILL) mid-stage: Ray restarts them and retries their batches;
3. a Ray run whose driver is killed (SIGKILL) once a stage has written some but not
   all of its shards, then `--resume`d on Ray: finished shards are not redone;
4. the model backend against a scripted R1 on loopback (one 429 with Retry-After),
   locally and on Ray with two workers sharing one endpoint budget of 2: the same
   sets, and never more requests in flight at the server than `--concurrency`
   (each worker alone could keep 2 in flight).
Writes OUT_DIR/results.json with what each scenario saw; the test asserts on it.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
GOAL = "make R1 easier to prompt"
N, SHARD = 30, 10
PORT = 6390


def sh(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, **kw)


def retrolean(workspace: Path, *extra: str) -> list[str]:
    return [str(BIN / "retrolean"), "run", GOAL, "--n", str(N), "--seed", "3",
            "--shard-size", str(SHARD), "--formal", "smtlib2", "--workspace", str(workspace),
            *extra]


def ray_args(address: str) -> list[str]:
    return ["--executor", "ray", "--ray-address", address, "--batch-size", "3"]


def run_dir(workspace: Path) -> Path:
    runs = sorted((workspace / "runs").iterdir())
    return runs[-1]


def sets_of(run: Path) -> dict[str, list[dict[str, Any]]]:
    from retrolean.memory.runs import read_run_set, set_names

    return {name: read_run_set(run, name) for name in set_names(run)}


def manifests(run: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for path in (run / "sets").glob("*/manifest.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        out[data["stage"]] = (len(data["shards"]), data["shard_count"])
    return out


def start_cluster(temp: Path) -> str:
    head = sh(str(BIN / "ray"), "start", "--head", "--node-ip-address=127.0.0.1",
              f"--port={PORT}", "--num-cpus=1", "--include-dashboard=false",
              "--object-store-memory=150000000", f"--temp-dir={temp}", "--disable-usage-stats")
    if head.returncode != 0:
        raise SystemExit(f"ray start --head failed: {head.stderr[-2000:]}")
    address = f"127.0.0.1:{PORT}"
    for _ in range(2):
        node = sh(str(BIN / "ray"), "start", f"--address={address}",
                  "--node-ip-address=127.0.0.1", "--num-cpus=1",
                  "--object-store-memory=150000000", "--disable-usage-stats")
        if node.returncode != 0:
            raise SystemExit(f"ray start --address failed: {node.stderr[-2000:]}")
    return address


def alive_actor_pids(class_names: list[str]) -> dict[str, int]:
    """One live actor's pid per class name (from the cluster's actor table; a stage worker
    is Ray Data's `MapWorker` actor)."""
    from ray._private.state import actors

    found: dict[str, int] = {}
    for actor in actors().values():
        if actor["State"] != "ALIVE" or not actor["Pid"]:
            continue
        for wanted in class_names:
            if wanted in actor["ActorClassName"] and wanted not in found:
                found[wanted] = actor["Pid"]
    return found


def wait_for(predicate: Any, timeout: float, every: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(every)
    return False


def model_scenario(out: Path, address: str) -> dict[str, Any]:
    from scripted_r1 import ScriptedR1

    from retrolean.recipes.catalog_loader import load_catalog
    from retrolean.tools.generate.fake_server import FakeOpenAI, Reply

    found: dict[str, Any] = {}
    r1 = ScriptedR1(load_catalog())
    model = ["--model", "fake-r1", "--concurrency", "2"]
    env = {**os.environ, "RETROLEAN_MODEL_TIMEOUT_S": "20"}
    with FakeOpenAI(fallback=r1, latency_s=0.05) as server:  # so that calls overlap
        model.extend(["--base-url", server.url])
        local = sh(*retrolean(out / "model-local", *model), env=env)
        found["model_local_rc"], found["model_local_err"] = local.returncode, local.stderr[-800:]
        server.max_in_flight = 0
        r1.faults = {"caption": [Reply.rate_limited(retry_after="0.5")]}
        on_ray = sh(*retrolean(out / "model-ray", *model, *ray_args(address), "--ray-workers",
                               "2"), env=env)
        found["model_ray_rc"], found["model_ray_err"] = on_ray.returncode, on_ray.stderr[-800:]
        found["model_max_in_flight"] = server.max_in_flight
        found["model_rate_limited"] = not r1.faults["caption"]  # the 429 was served
    found["model_same"] = local.returncode == 0 and on_ray.returncode == 0 and sets_of(
        run_dir(out / "model-local")) == sets_of(run_dir(out / "model-ray"))
    return found


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    # Ray's token auth, with a token of our own and a home of our own (Ray writes the
    # token under ~/.ray): every ray command and run below inherits it
    (out / "home").mkdir()
    os.environ.update(HOME=str(out / "home"), RAY_AUTH_MODE="token",
                      RAY_AUTH_TOKEN=secrets.token_hex(32))
    address = start_cluster(out / "ray-session")
    os.environ["RAY_ADDRESS"] = address
    try:
        import ray

        ray.init(address=address, log_to_driver=False)  # to read the cluster's tables

        def alive() -> int:
            return sum(1 for node in ray.nodes() if node["Alive"])

        wait_for(lambda: alive() >= 3, timeout=60, every=1)
        results["nodes"] = alive()
        local = sh(*retrolean(out / "local"))
        results["local_rc"] = local.returncode
        results["local_err"] = local.stderr[-1500:]
        expected = sets_of(run_dir(out / "local"))
        results["local_sets"] = {k: len(v) for k, v in expected.items()}

        # 1. the same run on Ray
        on_ray = sh(*retrolean(out / "ray", *ray_args(address)))
        results["ray_rc"], results["ray_err"] = on_ray.returncode, on_ray.stderr[-1500:]
        results["ray_same"] = on_ray.returncode == 0 and sets_of(run_dir(out / "ray")) == \
            expected
        results["ray_sharded"] = sorted(manifests(run_dir(out / "ray")))

        # 2. kill a checker actor and a stage worker mid-stage
        proc = subprocess.Popen(retrolean(out / "kill", *ray_args(address)),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wanted = ["CheckerActor", "MapWorker"]
        pids: dict[str, int] = {}

        def mid_stage() -> bool:
            runs = out / "kill" / "runs"
            if not runs.is_dir() or not any(runs.iterdir()):
                return False
            done = manifests(run_dir(out / "kill"))
            if not done or proc.poll() is not None:
                return proc.poll() is not None
            pids.update(alive_actor_pids(wanted))
            return all(w in pids for w in wanted)

        wait_for(mid_stage, timeout=300, every=0.5)
        killed = []
        for name, pid in pids.items():
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(name)
            except ProcessLookupError:
                pass
        results["kill_stage"] = sorted(manifests(run_dir(out / "kill")))
        _, err = proc.communicate(timeout=900)
        results["kill_killed"] = killed
        results["kill_rc"], results["kill_err"] = proc.returncode, err[-1500:]
        results["kill_same"] = proc.returncode == 0 and sets_of(run_dir(out / "kill")) == \
            expected

        # 3. kill the driver once a stage has some of its shards, then resume
        proc = subprocess.Popen(retrolean(out / "resume", *ray_args(address), "--ray-workers",
                                          "1"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        caught: dict[str, Any] = {}

        def partial() -> bool:
            runs = out / "resume" / "runs"
            if proc.poll() is not None:
                return True
            if not runs.is_dir() or not any(runs.iterdir()):
                return False
            for stage, (done, count) in manifests(run_dir(out / "resume")).items():
                if 0 < done < count:
                    caught["stage"] = stage
                    return True
            return False

        wait_for(partial, timeout=600, every=0.02)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        results["resume_first_rc"] = proc.wait()
        run = run_dir(out / "resume")
        results["resume_caught"] = caught.get("stage")
        before = {}
        if caught:
            stage_dir = run / "sets" / caught["stage"]
            before = {p.name: p.stat().st_mtime_ns for p in stage_dir.glob("part-*")}
        results["resume_parts_before"] = sorted(before)
        again = sh(str(BIN / "retrolean"), "run", "--resume", run.name, "--workspace",
                   str(out / "resume"), *ray_args(address))
        results["resume_rc"], results["resume_err"] = again.returncode, again.stderr[-1500:]
        if caught:
            stage_dir = run / "sets" / caught["stage"]
            results["resume_parts_kept"] = all(
                (stage_dir / name).stat().st_mtime_ns == mtime for name, mtime in before.items())
        results["resume_same"] = again.returncode == 0 and sets_of(run) == expected

        # 4. model calls from every worker share one budget per endpoint
        results.update(model_scenario(out, address))
    finally:  # the PID namespace ends every Ray process when this script exits
        (out / "results.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
