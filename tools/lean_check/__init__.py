"""lean_check: is a Lean 4 text internally consistent? Screened, limited, judged by policy.

`lean_check(text, policy=…, config=…)` screens the untrusted text first
(refused text starts no process at all), checks the policy's required
declarations, then runs Lean through the configured backend — one
`lean --json` process per check (`cli`) or a pool of REPL workers (`repl`) —
and judges the run: ok when Lean reports no error, finished inside its time
and memory, and `sorry` appears only where the policy allows it. Every
verdict names its checker and version: "lean 4.15.0 (cli)", or the screen's
own version for refusals, and the screen it went through (`screen`).
Trade-off: the screen is a deny-list plus allow-lists, strict by design; a
real sandbox (containers, seccomp) is not assumed to exist on the machine.

Example: lean_check("#eval 1").summary() -> "refused (lean-screen 1): line 1: `#eval` runs …"
"""

from __future__ import annotations

import logging

from retrolean.tools.lean_check.cli_backend import (
    LeanInfo,
    checker_name,
    detect_lean,
    lean_version,
    run_cli,
)
from retrolean.tools.lean_check.config import (
    WITNESS_POLICY,
    ConsistencyPolicy,
    LeanConfig,
    ScreenLimits,
)
from retrolean.tools.lean_check.policy import judge_run, missing_declarations
from retrolean.tools.lean_check.repl_backend import pool_for, shutdown_pools
from retrolean.tools.lean_check.screen import SCREEN_VERSION, ScreenResult, screen
from retrolean.tools.verdict import Verdict

__all__ = [
    "SCREEN_CHECKER", "WITNESS_POLICY", "ConsistencyPolicy", "LeanConfig", "LeanInfo",
    "ScreenLimits", "ScreenResult", "detect_lean", "lean_check", "lean_version", "screen",
    "shutdown_pools",
]

log = logging.getLogger(__name__)

SCREEN_CHECKER = f"lean-screen {SCREEN_VERSION}"


def lean_check(text: str, *, policy: ConsistencyPolicy | None = None,
               config: LeanConfig | None = None) -> Verdict:
    """Screen, then check a Lean 4 text; ok when it elaborates cleanly under the policy."""
    policy = policy or ConsistencyPolicy()
    config = config or LeanConfig()
    screened = screen(text, config.screen)
    if not screened.ok:
        log.info("refused Lean text: %s", screened.reason)
        return Verdict(ok=False, status="refused", checker=SCREEN_CHECKER, screen=SCREEN_CHECKER,
                       reason=screened.reason)
    missing = missing_declarations(text, policy)
    if missing:
        return Verdict(ok=False, status="error", checker=SCREEN_CHECKER, screen=SCREEN_CHECKER,
                       reason=f"the text does not declare `{missing[0]}`")
    run = pool_for(config).check(text) if config.backend == "repl" else run_cli(text, config)
    verdict = judge_run(text, run, policy, checker=checker_name(config),
                        timeout_s=config.timeout_s, memory_mb=config.memory_mb)
    verdict.screen = SCREEN_CHECKER
    return verdict
