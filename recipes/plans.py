"""Plans: a stage list checked against the stage and tool registries; recipes loaded checked.

`load_recipe` takes a recipe name (a file shipped in this package) or a path
and validates it: unknown stages, stages whose inputs no earlier stage makes,
out-of-range parameters — each a one-line `UserError` naming file and field.
`stage_problems` is the same check for any stage list, a model's plan included.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from retrolean.memory.errors import UserError
from retrolean.recipes.catalog_loader import read_yaml, validation_message
from retrolean.recipes.recipe import RECIPE_DIR, Recipe, StageSpec
from retrolean.recipes.stages import STAGES
from retrolean.tools.registry import TOOLS


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
