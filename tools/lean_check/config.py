"""How to run Lean (`LeanConfig`) and what counts as consistent (`ConsistencyPolicy`).

Both are pydantic models so a recipe or the settings can state them as data.
Trade-off: the memory limit is one number used three ways — RLIMIT_DATA on
every Lean process (heap and anonymous mappings; the memory-mapped `.olean`
files of Mathlib do not count against it, unlike RLIMIT_AS), and, for REPL
workers, a resident-size ceiling after which a worker is retired.

Example: LeanConfig(project=Path("~/mathlib-proj"), backend="repl",
                    repl_command=["lake", "env", "../repl/.lake/build/bin/repl"])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field


class LeanSettings(Protocol):
    """The part of the program's settings that configures Lean (kept structural: tools never
    import the agent)."""

    lean: str
    lean_project: Path | None
    lean_timeout_s: float
    lean_memory_mb: int


class ScreenLimits(BaseModel):
    """What the screen lets through: imports, options and their bounds."""

    allowed_imports: list[str] = Field(
        default_factory=lambda: ["Init", "Std", "Mathlib"],
        description="module roots (or module-name prefixes) untrusted text may import")
    max_heartbeats: int = Field(1_000_000, ge=1, description="highest maxHeartbeats allowed")
    max_rec_depth: int = Field(10_000, ge=1, description="highest maxRecDepth allowed")
    max_chars: int = Field(200_000, ge=1, description="longest text screened at all")


class LeanConfig(BaseModel):
    """Which Lean to run, where, with which limits and through which backend."""

    executable: str = Field("lean", description="the `lean` executable")
    lake: str = Field("lake", description="the `lake` executable (used with `project`)")
    project: Path | None = Field(
        None, description="Lean project directory; checks run as `lake env lean` inside it")
    timeout_s: float = Field(60.0, gt=0, description="wall-clock limit per check")
    memory_mb: int = Field(8192, gt=0, description="memory limit per Lean process (RLIMIT_DATA)")
    backend: Literal["cli", "repl"] = Field("cli", description="one process per check, or REPL")
    repl_command: list[str] = Field(
        default_factory=lambda: ["repl"],
        description="command starting one leanprover-community/repl worker (cwd: project)")
    pool_size: int = Field(2, ge=1, description="number of REPL workers")
    header_timeout_s: float = Field(
        600.0, gt=0, description="limit for elaborating the imports once per REPL worker")
    repl_rss_limit_mb: int | None = Field(
        None, gt=0, description="retire a REPL worker above this resident size "
                                "(default: 80% of memory_mb)")
    repl_max_checks: int = Field(500, ge=1, description="retire a REPL worker after this many")
    isolate_network: bool = Field(
        True, description="run Lean in a network namespace without interfaces when `unshare` "
                          "is permitted here")
    screen: ScreenLimits = Field(default_factory=ScreenLimits)

    @classmethod
    def from_settings(cls, settings: LeanSettings, **overrides: Any) -> LeanConfig:
        """The Lean part of the program's settings, with optional overrides."""
        values: dict[str, Any] = {
            "executable": settings.lean, "project": settings.lean_project,
            "timeout_s": settings.lean_timeout_s, "memory_mb": settings.lean_memory_mb,
        }
        values.update(overrides)
        return cls(**values)

    @property
    def rss_limit_mb(self) -> int:
        """Resident size above which a REPL worker is retired."""
        return self.repl_rss_limit_mb or max(1, int(self.memory_mb * 0.8))


class ConsistencyPolicy(BaseModel):
    """What a recipe counts as a consistent Lean text beyond "no errors".

    `allow_sorry` lets statements and lemmas be left as `sorry`; declarations
    named in `sorry_free` must be proved even then; `require` names
    declarations the text must contain (e.g. the witness theorem).
    """

    allow_sorry: bool = False
    sorry_free: list[str] = Field(default_factory=list)
    require: list[str] = Field(default_factory=list)


WITNESS_POLICY = ConsistencyPolicy(
    allow_sorry=True, sorry_free=["problem_consistent"], require=["problem_consistent"])
"""The template recipe's policy: statements may use `sorry`, the witness theorem may not."""
