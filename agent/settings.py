"""One settings object for the whole program: flags override env vars override defaults.

Environment variables use the `RETROLEAN_` prefix; the model endpoint also
honours the usual `OPENAI_BASE_URL`, `OPENAI_API_KEY` and `OPENAI_MODEL`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from retrolean.memory.errors import UserError
from retrolean.memory.languages import FormalLanguage


class Settings(BaseSettings):
    """Where the workspace is, which recipe and backends to use, and their limits."""

    model_config = SettingsConfigDict(env_prefix="RETROLEAN_", extra="ignore",
                                      populate_by_name=True)

    workspace: Path = Field(Path("workspace"), description="git repository holding every run")
    n: int | None = Field(None, description="problems to sample (default: the recipe's)")
    k: int | None = Field(None, description="domains per problem (default: the recipe's)")
    seed: int | None = Field(None, description="random seed (default: the recipe's)")
    domains: str | None = Field(None, description="comma-separated domain ids to sample from")
    recipe: str = Field("make-r1-easier-to-prompt", description="recipe name or YAML path")
    catalog: Path | None = Field(None, description="directory overriding catalog files")
    formal: FormalLanguage | Literal["auto"] = Field(
        "auto", description="formal language of the problems (auto: Lean 4 where Lean runs, "
                            "else SMT-LIB 2)")
    model: str | None = Field(
        None, description="model name on the endpoint; none means the template backend",
        validation_alias=AliasChoices("RETROLEAN_MODEL", "OPENAI_MODEL", "model"),
    )
    base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint",
        validation_alias=AliasChoices("RETROLEAN_BASE_URL", "OPENAI_BASE_URL", "base_url"),
    )
    api_key: SecretStr | None = Field(
        None, description="API key of the endpoint",
        validation_alias=AliasChoices("RETROLEAN_API_KEY", "OPENAI_API_KEY", "api_key"),
    )
    concurrency: int = Field(16, ge=1, description="model calls in flight at most")
    model_timeout_s: float = Field(300.0, gt=0, description="limit per model call attempt "
                                                            "(R1 thinks for minutes)")
    use_cache: bool = Field(True, description="answer repeated model calls from the workspace's "
                                              "model-cache.sqlite and store new answers there "
                                              "(--no-cache: neither)")
    embedding_model: str = Field("all-MiniLM-L6-v2", description="sentence-transformers model")
    z3_timeout_ms: int = Field(5000, ge=1, description="Z3 budget per check: ms at a fixed "
                               "rate of Z3 steps (the same answer under any load)")
    lean: str = Field("lean", description="Lean executable")
    lean_project: Path | None = Field(None, description="Lean project for `lake env lean`")
    lean_timeout_s: float = Field(60.0, gt=0, description="wall-clock limit per Lean check")
    lean_memory_mb: int = Field(8192, gt=0, description="memory limit per Lean process")
    lean_tactics: list[str] = Field(
        ["omega", "constructor <;> intro h <;> omega", "decide", "simp"], min_length=1,
        description="tactics tried in order on the round trip's `↔` theorem (add Mathlib's, "
                    "e.g. nlinarith, where the Lean project has it)")
    budget_seconds: float | None = Field(None, gt=0, description="stop a run after this long")
    budget_model_calls: int | None = Field(None, gt=0, description="stop after this many calls")
    budget_tokens: int | None = Field(None, gt=0, description="stop after this many tokens")
    max_stage_attempts: int = Field(2, ge=1, description="attempts per stage, the first included")
    executor: Literal["local", "ray"] = Field(
        "local", description="how stages run: local (this process, threads) or ray (a Ray "
                             "cluster; pip install 'retrolean[ray]')")
    ray_address: str | None = Field(None, description="Ray cluster to join (ray://… or "
                                                      "host:port); none: start a local Ray")
    shard_size: int = Field(1000, ge=1, description="records per shard: a run of more "
                                                    "problems writes its sets in shards")
    batch_size: int | None = Field(None, ge=1, description="records per batch (default: a "
                                                           "whole shard locally, 50 on Ray)")
    ray_workers: int | None = Field(None, ge=1, description="stage worker actors (default: "
                                                            "the cluster's spare CPUs)")
    ray_checkers: int | None = Field(None, ge=1, description="checker actors (default: one "
                                                             "per 8 CPUs)")
    ray_checker_cpus: float | None = Field(None, gt=0, description="CPUs per checker actor "
                                                                   "(default 0.5)")
    ray_embedders: int | None = Field(None, ge=1, description="embedding actors (default: "
                                                              "one per GPU, else one)")

    @property
    def domain_list(self) -> list[str] | None:
        """`domains` as a list of ids, or None when unset."""
        if not self.domains:
            return None
        return [d.strip() for d in self.domains.split(",") if d.strip()] or None

    @property
    def uses_model(self) -> bool:
        """Whether a model endpoint is configured (else the template backend runs)."""
        return bool(self.base_url and self.model)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment with flags on top; a bad value is a one-line UserError."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as e:
        err = e.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "settings"
        raise UserError(f"setting {field}: {err['msg']} (from its command-line flag or "
                        f"RETROLEAN_{field.upper()})") from e
    except SettingsError as e:  # a list setting whose variable is not JSON
        named = re.search(r'field "(\w+)"', str(e))
        field = named.group(1) if named else "settings"
        raise UserError(f"setting {field}: RETROLEAN_{field.upper()} must be a JSON list, "
                        'e.g. \'["omega", "simp"]\'') from e
