"""The recipe schema: stages with their skills and tools, parameters and thresholds.

Only the shape of a recipe lives here; whether its stages exist and fit
together is `retrolean.recipes.plans`' job (it needs the stage registry, which
itself needs this schema).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

RECIPE_DIR = Path(str(resources.files("retrolean.recipes")))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Parameters(_Strict):
    n: int = Field(40, ge=1, le=1_000_000)
    k: int = Field(3, ge=1)
    seed: int = 1
    theme_rate: float = Field(0.5, ge=0, le=1)
    frame_shift_rate: float = Field(0.5, ge=0, le=1)
    caption_concise_rate: float = Field(0.08, ge=0, le=1)
    guided_link_rate: float = Field(0.7, ge=0, le=1)
    temperature_scale: float = Field(1.0, gt=0, le=2)  # model backend: scales skill temperatures
    persona_weights: dict[str, float] = Field(default_factory=dict)  # persona id -> weight
    personas_per_problem: int = Field(4, ge=1)
    conversations_per_problem: int = Field(2, ge=1)


class Thresholds(_Strict):
    roundtrip_similarity: float = Field(0.97, ge=-1, le=1)
    missing_similarity: float = Field(0.95, ge=-1, le=1)
    judge_p_yes: float = Field(0.5, ge=0, le=1)


class StageSpec(_Strict):
    """One stage of a plan: what runs, with which skill and tools, and what is expected."""

    name: str
    skill: str
    tools: list[str] = Field(default_factory=list)
    expectation: str = ""
    min_yield: float | None = Field(None, ge=0, le=1)  # the expectation as a number


class Recipe(_Strict):
    name: str
    goal: str
    description: str = ""
    parameters: Parameters = Field(default_factory=Parameters)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    stages: list[StageSpec] = Field(min_length=1)
