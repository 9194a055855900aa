"""The Ray executor on a real three-node cluster: same sets as local, through kills and resume.

The cluster runs inside a network namespace of its own with loopback only, and a PID
namespace (`unshare -n -p -f --mount-proc`), so Ray can reach nothing beyond this
machine and every process it starts ends with the scenario. Scenarios are in
tests/ray_scenarios.py; one run of it (a few minutes on 2 cores) serves every test
here. Skipped, with the reason, where Ray is not installed or namespaces are not
permitted (not root, or a container that forbids them).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.slow


def _namespaces() -> str | None:
    """Why loopback-only namespaces cannot be made here, or None when they can."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "unshare or ip (util-linux, iproute2) not found"
    probe = subprocess.run(["unshare", "-n", "-p", "-f", "--mount-proc", "ip", "link", "set",
                            "lo", "up"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return f"network namespaces are not permitted here: {probe.stderr.strip()[:200]}"
    return None


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if importlib.util.find_spec("ray") is None:
        pytest.skip("Ray is not installed (pip install 'retrolean[ray]')")
    why = _namespaces()
    if why:
        pytest.skip(why)
    out = tmp_path_factory.mktemp("ray")
    script = f"ip link set lo up && exec {sys.executable} {HERE / 'ray_scenarios.py'} {out}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAY_", "RETROLEAN_"))}
    done = subprocess.run(["unshare", "-n", "-p", "-f", "--mount-proc", "bash", "-c", script],
                          capture_output=True, text=True, timeout=2400, env=env, check=False)
    results = out / "results.json"
    assert results.is_file(), f"the scenarios wrote no results: {done.stderr[-3000:]}"
    return json.loads(results.read_text())


def test_cluster_has_three_nodes(scenarios: dict[str, Any]) -> None:
    assert scenarios["local_rc"] == 0, scenarios["local_err"]
    assert scenarios["nodes"] == 3


def test_ray_run_writes_the_local_runs_sets(scenarios: dict[str, Any]) -> None:
    assert scenarios["ray_rc"] == 0, scenarios["ray_err"]
    assert scenarios["ray_same"]
    assert "conversations" in scenarios["ray_sharded"]  # 30 problems, shards of 10


def test_killed_actors_are_retried_and_the_sets_are_the_same(
        scenarios: dict[str, Any]) -> None:
    assert sorted(scenarios["kill_killed"]) == ["CheckerActor", "MapWorker"]
    assert scenarios["kill_rc"] == 0, scenarios["kill_err"]
    assert scenarios["kill_same"]


def test_a_killed_driver_resumes_without_redoing_finished_shards(
        scenarios: dict[str, Any]) -> None:
    assert scenarios["resume_caught"], "the driver was not caught mid-stage"
    assert scenarios["resume_parts_before"], "no shard was finished before the kill"
    assert scenarios["resume_rc"] == 0, scenarios["resume_err"]
    assert scenarios["resume_parts_kept"], "finished shards were written again"
    assert scenarios["resume_same"]


def test_model_calls_from_every_worker_share_one_endpoint_budget(
        scenarios: dict[str, Any]) -> None:
    assert scenarios["model_local_rc"] == 0, scenarios["model_local_err"]
    assert scenarios["model_ray_rc"] == 0, scenarios["model_ray_err"]
    assert scenarios["model_rate_limited"]
    assert scenarios["model_max_in_flight"] == 2  # --concurrency 2, for the whole cluster
    assert scenarios["model_same"]
