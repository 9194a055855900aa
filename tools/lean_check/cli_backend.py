"""The command-line backend: one `lean --json FILE` process per check.

The text is written into a fresh scratch directory, checked by `lean --json`
(or `lake env lean --json` inside the configured project, which is how
Mathlib is reached), and the directory is removed afterwards whatever
happened. Also here: the Lean version for verdicts, and `detect_lean` for
`retrolean doctor`.
Trade-off: every check pays Lean's start-up and its imports (seconds for
`import Mathlib`); the REPL backend avoids that at the price of long-lived
processes.

Example: run_cli("theorem t : 1 + 1 = 2 := rfl\\n", LeanConfig()).messages -> []
"""

from __future__ import annotations

import functools
import logging
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from pydantic import BaseModel

from retrolean.tools.lean_check.config import LeanConfig
from retrolean.tools.lean_check.messages import LeanRun, parse_lean_json
from retrolean.tools.lean_check.process import kill_group, looks_out_of_memory, resolve, spawn, tail
from retrolean.tools.verdict import CheckMessage

log = logging.getLogger(__name__)

SCRATCH_PREFIX = "retrolean-lean-"
_VERSION = re.compile(r"version\s+v?(\d+\.\d+[^\s,)]*)")


def lean_argv(config: LeanConfig, args: list[str]) -> list[str]:
    """The command running Lean with `args`: through `lake env` when a project is configured."""
    if config.project is not None:
        return [config.lake, "env", config.executable, *args]
    return [config.executable, *args]


def run_cli(text: str, config: LeanConfig) -> LeanRun:
    """Check `text` with one Lean process in a scratch directory (removed afterwards)."""
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    start = time.perf_counter()
    try:
        path = scratch / "Check.lean"
        path.write_text(text, encoding="utf-8")
        cwd = config.project.expanduser() if config.project else scratch
        try:
            proc = spawn(lean_argv(config, ["--json", str(path)]), cwd=cwd,
                         memory_mb=config.memory_mb, isolate=config.isolate_network,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
        except OSError as e:
            return LeanRun(crashed=True, detail=f"Lean could not start: {e}")
        timed_out = False
        try:
            out, err = proc.communicate(timeout=config.timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(proc)
            try:
                out, err = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                out, err = "", ""
        finally:
            kill_group(proc)
        elapsed = (time.perf_counter() - start) * 1000
        messages = parse_lean_json(out or "")
        if err and err.strip() and proc.returncode not in (0, None):
            messages.append(CheckMessage(severity="information", text=tail(err, 20)))
        return LeanRun(messages=messages, returncode=proc.returncode, timed_out=timed_out,
                       out_of_memory=not timed_out and proc.returncode != 0
                       and looks_out_of_memory(out, err),
                       detail=tail(err), elapsed_ms=elapsed)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@functools.cache
def _version(executable: str, cwd: str | None) -> str | None:
    try:
        program = resolve(executable, Path(cwd) if cwd else Path.cwd())
        out = subprocess.run([program, "--version"], capture_output=True, text=True,
                             timeout=30, cwd=cwd, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        log.info("no Lean version from %s: %s", executable, e)
        return None
    m = _VERSION.search(out.stdout + out.stderr)
    return m[1] if m else None


def lean_version(config: LeanConfig) -> str | None:
    """Lean's version (e.g. "4.15.0") from `lean --version`, asked once per executable."""
    return _version(config.executable, str(config.project.expanduser()) if config.project else None)


def checker_name(config: LeanConfig) -> str:
    """The checker as verdicts name it, e.g. "lean 4.15.0 (cli)"."""
    return f"lean {lean_version(config) or 'unknown'} ({config.backend})"


class LeanInfo(BaseModel):
    """What `retrolean doctor` says about Lean here."""

    found: bool
    path: str | None = None
    version: str | None = None
    mathlib: bool | None = None
    detail: str = ""


def detect_lean(config: LeanConfig, *, check_mathlib: bool = True,
                timeout_s: float = 120.0) -> LeanInfo:
    """Whether Lean runs here, its version, and whether `import Mathlib` works (bounded time)."""
    cwd = config.project.expanduser() if config.project else Path.cwd()
    try:
        path = resolve(config.executable, cwd)
        if config.project is not None:
            resolve(config.lake, cwd)
    except FileNotFoundError as e:
        return LeanInfo(found=False, detail=str(e))
    version = lean_version(config)
    if version is None:
        return LeanInfo(found=False, path=path, detail=f"`{path} --version` did not answer")
    if not check_mathlib:
        return LeanInfo(found=True, path=path, version=version)
    probe = run_cli("import Mathlib\n", config.model_copy(update={"timeout_s": timeout_s}))
    errors = [m.text.splitlines()[0] for m in probe.messages if m.severity == "error" and m.text]
    ok = not probe.timed_out and probe.returncode == 0 and not errors
    why = ("Mathlib imports" if ok else "`import Mathlib` timed out" if probe.timed_out
           else f"`import Mathlib` fails: {errors[0] if errors else probe.detail or 'no reason'}")
    return LeanInfo(found=True, path=path, version=version, mathlib=ok, detail=why)
