"""Start and stop Lean processes inside limits: memory, network, process group.

Every Lean process (a one-shot `lean --json`, or a REPL worker) starts in
its own session, so a timeout kills the whole group (`lake env` and the
`lean` under it), with RLIMIT_DATA set to the memory limit and core dumps
off. Where `unshare -rn` (or, as root, `unshare -n`) is permitted, the process
runs in a fresh network namespace with no interfaces up, i.e. without network;
where it is not, it runs with the host's network and this is logged once.
Trade-off: limits are set in `preexec_fn`, which only calls `setrlimit`
(no locks), so it stays safe when checks run from several threads.

Example: spawn(["lean", "--json", "Check.lean"], cwd=scratch, memory_mb=4096, isolate=True)
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import resource
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_OOM = re.compile(r"out of memory|MemoryError|bad_alloc|Cannot allocate memory", re.IGNORECASE)


def _limit(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@functools.cache
def network_prefix() -> tuple[str, ...]:
    """The command prefix that removes network access here, or () where none is permitted."""
    if shutil.which("unshare") is None:
        log.warning("no `unshare`: Lean runs with the host's network")
        return ()
    for prefix in (("unshare", "-rn"), ("unshare", "-n")):
        try:
            probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        if probe.returncode == 0:
            return prefix
    log.warning("`unshare -n` is not permitted here: Lean runs with the host's network")
    return ()


def resolve(program: str, cwd: Path) -> str:
    """The absolute path of a program (a bare name on PATH, or a path relative to `cwd`)."""
    if os.sep in program:
        path = Path(program).expanduser()
        path = path if path.is_absolute() else cwd / path
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise FileNotFoundError(f"`{program}` is not an executable file (from {cwd})")
    found = shutil.which(program)
    if found is None:
        raise FileNotFoundError(f"`{program}` is not on PATH")
    return found


def spawn(argv: list[str], *, cwd: Path, memory_mb: int, isolate: bool,
          **popen: Any) -> subprocess.Popen:
    """Start `argv` in `cwd`, in its own process group, under the memory and network limits."""
    command = [resolve(argv[0], cwd), *argv[1:]]
    prefix = list(network_prefix()) if isolate else []
    log.debug("starting %s in %s", command, cwd)
    return subprocess.Popen(prefix + command, cwd=cwd, start_new_session=True,
                            preexec_fn=functools.partial(_limit, memory_mb), **popen)


def kill_group(proc: subprocess.Popen) -> None:
    """Kill the process and everything in its group; reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        log.error("process %s did not die after SIGKILL", proc.pid)


def looks_out_of_memory(*outputs: str) -> bool:
    """Whether a process's output says an allocation failed."""
    return any(_OOM.search(o or "") for o in outputs)


def tail(text: str, lines: int = 5) -> str:
    """The last few non-empty lines of a process's output, for a reason line."""
    kept = [line for line in (text or "").splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def group_rss_mb(pgid: int) -> float:
    """Resident memory of every process in a process group, in MB (0 where /proc is absent)."""
    total_kb = 0
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            status = Path(f"/proc/{entry}/status").read_text()
        except (OSError, ValueError, IndexError):
            continue
        m = re.search(r"^VmRSS:\s+(\d+)", status, re.MULTILINE)
        total_kb += int(m[1]) if m else 0
    return total_kb / 1024
