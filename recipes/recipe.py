"""The recipe schema: stages with the tools they call, parameters and thresholds.

Only the shape of a recipe lives here; whether its stages exist, get their
inputs and name the tools their checks need is `retrolean.recipes.plans`' job
(it needs the stage registry, which itself needs this schema). The skill a
stage runs follows from the stage (`STAGE_SKILLS`): a stage has one, so a
plan does not choose it; `StageSpec.skill` shows it, and a plan or recipe
that states it must state the right one.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

RECIPE_DIR = Path(str(resources.files("retrolean.recipes")))

# The stages a plan can name, in recipe order, and the skill each one runs.
STAGE_SKILLS: dict[str, str] = {
    "formalize": "formalize", "presence": "judge_presence", "caption": "caption",
    "roundtrip": "reformalize", "personas": "persona", "missing": "drop_domain",
    "fill_in": "fill_in", "conversations": "conversation",
}


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
    """One stage of a plan: which stage, the tools it calls, and what is expected of it."""

    name: str
    tools: list[str] = Field(default_factory=list)
    expectation: str = ""
    min_yield: float | None = Field(None, ge=0, le=1)  # the expectation as a number

    @model_validator(mode="before")
    @classmethod
    def _stated_skill(cls, data: Any) -> Any:
        """Older recipes and plans state the skill: it must be the stage's own."""
        if not isinstance(data, dict) or "skill" not in data:
            return data
        data = dict(data)
        stated, own = data.pop("skill"), STAGE_SKILLS.get(str(data.get("name")))
        if own is not None and stated != own:
            raise ValueError(f"stage {data.get('name')!r} runs skill {own!r}, not {stated!r} "
                             "(the skill follows from the stage; leave it out)")
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def skill(self) -> str:
        """The skill this stage runs ("?" for a stage name no registry knows)."""
        return STAGE_SKILLS.get(self.name, "?")


class Recipe(_Strict):
    name: str
    goal: str
    description: str = ""
    parameters: Parameters = Field(default_factory=Parameters)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    stages: list[StageSpec] = Field(min_length=1)
