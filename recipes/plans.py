"""Plans: a stage list checked against the stage and tool registries; recipes loaded checked.

`load_recipe` takes a recipe name (a file shipped in this package) or a path
and validates it: unknown stages or tools, stages whose inputs no earlier
stage makes, stages that lack a tool their checks call, out-of-range
parameters — each a one-line `UserError` naming file and field.
`stage_problems` is the same check for any stage list, a model's plan
included; given the run it is for (`PlanTarget`: backend and formal
language), it also checks the checkers: every stage that decides formal texts
names one, and each can read what the backend writes.

A plan is valid only if every record that reaches its final set has passed
the checks of the parts it carries: a plan that makes formal problems runs
`presence`, one that captions them runs `roundtrip` (the `missing` stage
proves its own part). A model plan that drops one goes back to the model
with that problem, and is refused after its repairs (the recipe's plan runs,
and the trace says so).

A recipe may leave a checking stage's checker unnamed: `plan_stages` gives
it the checker of the run's language (`smt_check` for SMT-LIB 2, `lean_check`
for Lean 4), so one recipe serves either language and the plan written for
a run always names the checkers that run. A plan (the model's, or a recipe
that names them) keeps the checkers it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from retrolean.memory.errors import UserError
from retrolean.memory.languages import FormalLanguage
from retrolean.recipes.catalog_loader import read_yaml, validation_message
from retrolean.recipes.recipe import RECIPE_DIR, Recipe, StageSpec
from retrolean.recipes.stages import STAGES
from retrolean.tools.checkers import CHECKER_LANGUAGE, checker_tool
from retrolean.tools.registry import STAGE_TOOLS, TOOLS

# A part the plan makes -> the stage that must check it before a record may reach the final set.
CHECKS = {"formal": "presence", "english": "roundtrip"}


@dataclass(frozen=True)
class PlanTarget:
    """What a plan will run on: the backend, the languages it can render a written problem
    in, and the run's formal language."""

    backend: str
    language: FormalLanguage
    renders_in: frozenset[FormalLanguage] = frozenset()


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


def plan_stages(stages: list[StageSpec], language: FormalLanguage,
                renders_in: frozenset[FormalLanguage] = frozenset()) -> list[StageSpec]:
    """The stages as a run in `language` runs them: a stage that decides formal texts and
    names no checker gets that language's; in a Lean 4 run whose backend also renders
    SMT-LIB 2, it gets `smt_check` too, for the proofs Z3 makes (links, missing domain).

    Example: [formalize with tools [generate]], LEAN4 -> [formalize with [generate, lean_check]]
    """
    out = []
    for stage in stages:
        definition = STAGES.get(stage.name)
        if definition and definition.checks_formal and not set(stage.tools) & set(
                CHECKER_LANGUAGE):
            tools = [*stage.tools, checker_tool(language)]
            if language == FormalLanguage.LEAN4 and FormalLanguage.SMTLIB2 in renders_in:
                tools.append("smt_check")
            stage = stage.model_copy(update={"tools": tools})
        out.append(stage)
    return out


def stage_problems(stages: list[StageSpec], target: PlanTarget | None = None) -> list[str]:
    """What is wrong with a stage list: unknown stages or tools, inputs no earlier stage makes,
    tools a stage needs but lacks or cannot use, checkers that cannot read the run's texts."""
    problems: list[str] = []
    made: set[str] = set()
    if not stages:
        return ["the plan has no stages"]
    for i, stage in enumerate(stages):
        definition = STAGES.get(stage.name)
        if definition is None:
            problems.append(f"stages.{i}.name: unknown stage {stage.name!r}; "
                            f"known: {', '.join(STAGES)}")
            continue
        problems += [f"stages.{i}.tools: {p}" for p in _tool_problems(stage, target)]
        missing = definition.requires - made
        if missing:
            problems.append(f"stages.{i}: stage {stage.name!r} needs "
                            f"{', '.join(sorted(missing))} from an earlier stage")
        made |= definition.provides
    names = {stage.name for stage in stages}
    for part, check in CHECKS.items():
        if part in made and check not in names:
            problems.append(f"the plan makes {part} but never runs stage {check!r}, so records "
                            f"would reach the final set unchecked; add {check!r}")
    return problems


def _prover(proves: str | None, target: PlanTarget | None) -> str | None:
    """The checker tool a stage's proofs need on this run, or None (nothing to prove, no
    run given, or no SMT-LIB to prove on: a model's Lean text, decided as undecided)."""
    if proves is None or target is None:
        return None
    if proves == "run":
        return checker_tool(target.language)
    if target.language == FormalLanguage.SMTLIB2 or FormalLanguage.SMTLIB2 in target.renders_in:
        return "smt_check"
    return None


def _tool_problems(stage: StageSpec, target: PlanTarget | None) -> list[str]:
    """Problems with one known stage's tools (see `stage_problems`)."""
    definition = STAGES[stage.name]
    named = set(stage.tools)
    unknown = [t for t in stage.tools if t not in TOOLS]
    if unknown:
        return [f"unknown tool {unknown[0]!r}; known: {', '.join(STAGE_TOOLS)}"]
    agents = [t for t in stage.tools if t not in STAGE_TOOLS]
    if agents:
        return [f"{agents[0]} runs after every stage by itself; leave it out of stage tools"]
    problems = []
    unused = sorted(named - definition.usable_tools())
    if unused:
        problems.append(f"stage {stage.name!r} does not call {', '.join(unused)} (it can call: "
                        f"{', '.join(sorted(definition.usable_tools()))})")
    if definition.generates and "generate" not in named:
        problems.append(f"stage {stage.name!r} writes its parts with skill {stage.skill!r} "
                        "through generate; add generate")
    for tool, why in definition.needs.items():
        if tool not in named:
            problems.append(f"stage {stage.name!r} needs {tool} {why}; add {tool}")
    checkers = [t for t in CHECKER_LANGUAGE if t in named]
    if target is not None and definition.checks_formal and not checkers:
        problems.append(f"stage {stage.name!r} decides formal texts but names no checker; add "
                        f"{checker_tool(target.language)} (this run writes "
                        f"{target.language.label})")
    prover = _prover(definition.proves, target)
    if prover and prover not in named and checkers:
        problems.append(f"stage {stage.name!r} proves its checks with {prover} ("
                        + ("the run's language" if definition.proves == "run" else
                           "Z3 on SMT-LIB") + f"); add {prover}")
    for tool in checkers if target is not None else []:
        reads = CHECKER_LANGUAGE[tool]
        if reads != target.language and reads not in target.renders_in:
            problems.append(f"{tool} reads {reads.label}, but this run's texts are "
                            f"{target.language.label} and the {target.backend} backend cannot "
                            f"render them in {reads.label}; name "
                            f"{checker_tool(target.language)}, or run with --formal {reads}")
    return problems
