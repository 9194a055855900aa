"""Recipes: a YAML file naming stages, their skills and tools, parameters and thresholds.

`load_recipe` takes a recipe name (a file shipped in this package) or a path
and validates it: unknown stages, stages whose inputs no earlier stage makes,
out-of-range parameters — each a one-line `UserError` naming file and field.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from memory.errors import UserError
from recipes.catalog_loader import read_yaml, validation_message

RECIPE_DIR = Path(str(resources.files("recipes")))


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


def available_recipes() -> list[str]:
    """Names of the recipes shipped with retrolean."""
    return sorted(p.stem for p in RECIPE_DIR.glob("*.yaml"))


def recipe_path(name_or_path: str) -> Path:
    """The file of a recipe given by name or path; UserError if there is none."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        if not candidate.is_file():
            raise UserError(f"recipe file {candidate} not found")
        return candidate
    shipped = RECIPE_DIR / f"{name_or_path}.yaml"
    if shipped.is_file():
        return shipped
    raise UserError(
        f"unknown recipe {name_or_path!r}; available: {', '.join(available_recipes())} "
        "(or give a path to a YAML file)"
    )


def load_recipe(name_or_path: str) -> Recipe:
    """A validated recipe whose stages exist and get their inputs from earlier stages."""
    path = recipe_path(name_or_path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping with name, goal, parameters, stages")
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as e:
        raise UserError(validation_message(path, e)) from e
    problems = stage_problems(recipe.stages)
    if problems:
        raise UserError(f"{path}: {problems[0]}")
    return recipe


def stage_problems(stages: list[StageSpec]) -> list[str]:
    """What is wrong with a stage list: unknown stages or tools, inputs no earlier stage makes."""
    from recipes.stages import STAGES
    from tools.registry import TOOLS

    problems: list[str] = []
    made: set[str] = set()
    if not stages:
        return ["the plan has no stages"]
    for i, stage in enumerate(stages):
        if stage.name not in STAGES:
            problems.append(f"stages.{i}.name: unknown stage {stage.name!r}; "
                            f"known: {', '.join(STAGES)}")
            continue
        if stage.skill != STAGES[stage.name].skill:
            problems.append(f"stages.{i}.skill: stage {stage.name!r} runs skill "
                            f"{STAGES[stage.name].skill!r}, not {stage.skill!r}")
        unknown_tools = [t for t in stage.tools if t not in TOOLS]
        if unknown_tools:
            problems.append(f"stages.{i}.tools: unknown tool {unknown_tools[0]!r}; "
                            f"known: {', '.join(TOOLS)}")
        missing = STAGES[stage.name].requires - made
        if missing:
            problems.append(f"stages.{i}: stage {stage.name!r} needs "
                            f"{', '.join(sorted(missing))} from an earlier stage")
        made |= STAGES[stage.name].provides
    return problems
