"""Prepare a run: validate every input and build the stage context, writing nothing.

Everything the user can get wrong — recipe, catalog, domains, n and k,
workspace path, formal language — is checked here, before the run directory
is created, so bad input leaves nothing half-written. The agent graph
(`agent/graph/`) then executes the prepared run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrolean.agent.domain_choice import DomainSelection, DomainWords, domains_in_goal
from retrolean.agent.settings import Settings
from retrolean.memory.errors import UserError
from retrolean.memory.languages import FormalLanguage
from retrolean.memory.workspace import Workspace
from retrolean.recipes.backends.base import SkillBackend
from retrolean.recipes.backends.model import ModelBackend
from retrolean.recipes.backends.template import TemplateBackend
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.recipes.plans import (
    PlanTarget,
    load_recipe,
    plan_stages,
    recipe_path,
    stage_problems,
)
from retrolean.recipes.recipe import Recipe, StageSpec
from retrolean.recipes.records import Record
from retrolean.recipes.sampling import sample_records
from retrolean.recipes.stages.context import StageContext
from retrolean.skills.problems.registry import gadget_domains
from retrolean.tools.checkers import formal_checker, remember_verdicts
from retrolean.tools.embed_similarity import Embedder
from retrolean.tools.generate import ModelClient
from retrolean.tools.lean_check import LeanConfig, detect_lean
from retrolean.tools.toolbox import ToolSet

log = logging.getLogger(__name__)


@dataclass
class RunOptions:
    """What `retrolean run` was asked for, beyond the settings."""

    goal: str
    n: int | None = None
    seed: int | None = None
    k: int | None = None
    domains: list[str] | None = None  # only these; given, the goal's words about domains yield


def resolve_language(requested: str, settings: Settings) -> tuple[FormalLanguage, str]:
    """The formal language to use and why (auto: Lean where it runs, else SMT-LIB with Z3)."""
    if requested == FormalLanguage.SMTLIB2:
        return FormalLanguage.SMTLIB2, "asked for SMT-LIB 2"
    info = detect_lean(LeanConfig.from_settings(settings), check_mathlib=False, timeout_s=60)
    if requested == FormalLanguage.LEAN4:
        if not info.found:
            raise UserError(f"--formal lean4 needs Lean, but it is not usable here "
                            f"({info.detail or 'not found'}); install Lean or use --formal smtlib2")
        return FormalLanguage.LEAN4, f"asked for Lean 4 ({info.version})"
    if info.found:
        return FormalLanguage.LEAN4, f"auto: found {info.version}"
    return FormalLanguage.SMTLIB2, "auto: no Lean here, so SMT-LIB 2 checked by Z3"


@dataclass
class PreparedRun:
    """A validated run, ready to execute: nothing has been written yet."""

    goal: str
    recipe: Recipe
    ctx: StageContext
    records: list[Record]
    workspace: Workspace
    why_language: str
    words: DomainWords  # the catalog's domains, those this backend can build as `usable`
    selection: DomainSelection  # which of them the problems come from (goal, --domains)
    themes: list[str]
    toolset: ToolSet
    target: PlanTarget
    notes: list[str] = field(default_factory=list)  # what was read from the goal, for the screen

    @property
    def pool(self) -> list[str]:
        """The domains problems are drawn from."""
        return self.selection.pool(self.words.usable)

    def plan_stages(self, recipe: Recipe) -> list[StageSpec]:
        """The recipe's stages as this run runs them (its checkers named; see plan_stages)."""
        return plan_stages(recipe.stages, self.ctx.language, self.target.renders_in)

    def sample(self, recipe: Recipe, selection: DomainSelection | None = None) -> list[Record]:
        """Records sampled afresh under (possibly edited) recipe parameters and domains."""
        selection = selection or self.selection
        if recipe.parameters == self.recipe.parameters and selection == self.selection:
            return [r.model_copy(deep=True) for r in self.records]
        backend = self.ctx.backend
        return sample_records(recipe, selection.pool(self.words.usable), backend.name,
                              self.themes, backend.model, backend.skill_versions,
                              include=selection.favoured(self.words.usable))


def prepare(settings: Settings, options: RunOptions) -> PreparedRun:
    """Validate everything and build the run's context; writes nothing."""
    recipe = load_recipe(settings.recipe)
    params = recipe.parameters.model_copy(update={
        k: v for k, v in {"n": options.n, "seed": options.seed, "k": options.k}.items()
        if v is not None})
    if params.n < 1:
        raise UserError(f"--n must be at least 1 (got {params.n}; from --n or RETROLEAN_N)")
    if params.k < 1:
        raise UserError(f"--k must be at least 1 (got {params.k}; from --k or RETROLEAN_K)")
    catalog = load_catalog(settings.catalog)
    cards = catalog.domains
    # a model writes any catalog domain; the template backend only those with a gadget
    usable = list(cards) if settings.uses_model else [d for d in gadget_domains() if d in cards]
    words = DomainWords(cards, usable)
    selection, notes = choose_domains(options, words)
    pool = selection.pool(usable)
    if options.k is None and params.k > len(pool) > 0:
        notes.append(f"k {params.k} → {len(pool)}: only {len(pool)} domains to draw from")
        params = params.model_copy(update={"k": len(pool)})
    recipe = recipe.model_copy(update={"parameters": params})
    workspace = Workspace(settings.workspace)
    language, why = resolve_language(settings.formal, settings)
    check = formal_checker(settings.z3_timeout_ms, LeanConfig.from_settings(settings))
    backend: SkillBackend
    if not settings.uses_model:
        check = remember_verdicts(check)
        backend = TemplateBackend(cards, settings.z3_timeout_ms, catalog.themes, check)
    else:
        assert settings.model is not None and settings.base_url is not None
        model_backend = ModelBackend.for_endpoint(
            base_url=settings.base_url, model=settings.model,
            api_key=settings.api_key.get_secret_value() if settings.api_key else None,
            cards=cards, cache_path=workspace.root / "model-cache.sqlite",
            concurrency=settings.concurrency, timeout_s=settings.model_timeout_s,
            use_cache=settings.use_cache, check=check, z3_timeout_ms=settings.z3_timeout_ms,
            mathlib=settings.lean_project is not None,
            temperature_scale=params.temperature_scale)
        backend, check = model_backend, model_backend.check or check  # one verdict memory
        probe_endpoint(model_backend.client, settings.model_timeout_s)
    target = PlanTarget(backend=backend.name, language=language, renders_in=backend.renders_in)
    check_plan(plan_stages(recipe.stages, language, target.renders_in), target, settings,
               recipe_path(settings.recipe))
    records = sample_records(recipe, pool, backend.name, catalog.themes, backend.model,
                             backend.skill_versions, include=selection.favoured(usable))
    toolset = ToolSet(check=check, embedder=Embedder(settings.embedding_model),
                      z3_timeout_ms=settings.z3_timeout_ms,
                      lean=LeanConfig.from_settings(settings),
                      lean_tactics=tuple(settings.lean_tactics))
    ctx = StageContext(recipe=recipe, domains=cards, personas=catalog.personas,
                       conversations=catalog.conversations, language=language, backend=backend,
                       tools=toolset.toolbox([]))
    return PreparedRun(options.goal, recipe, ctx, records, workspace, why, words, selection,
                       catalog.themes, toolset, target, notes)


def choose_domains(options: RunOptions, words: DomainWords) -> tuple[DomainSelection,
                                                                      list[str]]:
    """The domains a run draws from — `--domains`, else what the goal's words say — and the
    lines that tell the user what was read from the goal and what was not taken."""
    if options.domains:
        unknown = [d for d in options.domains if d not in words.cards]
        if unknown:
            raise UserError(f"unknown domain {unknown[0]!r}; `retrolean domains` lists them")
        no_template = [d for d in options.domains if d not in words.usable]
        if no_template:
            raise UserError(f"domain {no_template[0]!r} has no template process; it needs a "
                            "model backend")
        return DomainSelection(only=list(dict.fromkeys(options.domains))), []
    read = domains_in_goal(options.goal, words)
    selection = read.selection()
    notes = [f"not taken from the goal: {p}" for p in read.problems]
    if read.clauses and not selection.pool(words.usable):
        notes.append("not taken from the goal: its domain words leave no domain to draw from")
        return DomainSelection(), notes
    if read.clauses:
        notes.insert(0, f"domains from the goal: {selection.describe(words)}")
    return selection, notes


def probe_endpoint(client: ModelClient, timeout_s: float) -> None:
    """UserError, one line, when the model endpoint cannot serve the run: closed port, DNS,
    TLS, a refused key, an unknown model. A cheap probe (the model listing; a one-token call
    only where the server lists no models), made before anything is planned or written."""
    result = client.ping_sync(timeout_s=min(timeout_s, 20.0), always_call=False)
    if not result.ok:
        raise UserError(f"model endpoint: {result.detail} (`retrolean doctor` checks it)")


def check_plan(stages: list[StageSpec], target: PlanTarget, settings: Settings,
               source: Path) -> None:
    """UserError when the recipe's plan cannot run here: a tool a stage needs is missing or
    cannot read the run's texts, or Lean is named where none is usable."""
    problems = stage_problems(stages, target)
    if problems:
        raise UserError(f"{source}: {problems[0]}")
    lean = [s.name for s in stages if "lean_check" in s.tools]
    if lean and target.language != FormalLanguage.LEAN4:  # a Lean run has found Lean already
        info = detect_lean(LeanConfig.from_settings(settings), check_mathlib=False, timeout_s=60)
        if not info.found:
            raise UserError(f"{source}: stage {lean[0]!r} names lean_check, but Lean is not "
                            f"usable here ({info.detail or 'not found'}); install Lean or "
                            "leave lean_check out")


def checks_context(settings: Settings, plan: dict[str, Any]) -> Callable[[str], StageContext]:
    """For a finished run's plan: the context each of its stages runs the checks in, with
    the run's backend (a model run needs the endpoint configured), language, catalog,
    thresholds and the plan's tools for that stage (`eval checks` uses it)."""
    language = FormalLanguage(plan.get("language", "smtlib2"))
    catalog = load_catalog(settings.catalog)
    recipe = load_recipe(str(plan.get("recipe") or settings.recipe))
    recipe = recipe.model_copy(update={"thresholds": recipe.thresholds.model_validate(
        plan.get("thresholds") or recipe.thresholds.model_dump())})
    check = remember_verdicts(formal_checker(settings.z3_timeout_ms,
                                             LeanConfig.from_settings(settings)))
    backend: SkillBackend
    if plan.get("backend") == "model":
        if not settings.uses_model or settings.model is None or settings.base_url is None:
            raise UserError("this run was made on a model backend: give --model and "
                            "--base-url (or OPENAI_MODEL and OPENAI_BASE_URL) to check it")
        backend = ModelBackend.for_endpoint(
            base_url=settings.base_url, model=settings.model,
            api_key=settings.api_key.get_secret_value() if settings.api_key else None,
            cards=catalog.domains, cache_path=Path(settings.workspace) / "model-cache.sqlite",
            concurrency=settings.concurrency, timeout_s=settings.model_timeout_s,
            check=check, z3_timeout_ms=settings.z3_timeout_ms,
            mathlib=settings.lean_project is not None)
        probe_endpoint(backend.client, settings.model_timeout_s)
    else:
        backend = TemplateBackend(catalog.domains, settings.z3_timeout_ms, catalog.themes, check)
    toolset = ToolSet(check=check, embedder=Embedder(settings.embedding_model),
                      z3_timeout_ms=settings.z3_timeout_ms,
                      lean=LeanConfig.from_settings(settings),
                      lean_tactics=tuple(settings.lean_tactics))
    renders = backend.renders_in
    tools = {s.name: s.tools for s in plan_stages(recipe.stages, language, renders)}
    tools.update({s["name"]: s.get("tools", []) for s in plan.get("stages", [])})

    def context(stage: str) -> StageContext:
        return StageContext(recipe=recipe, domains=catalog.domains, personas=catalog.personas,
                            conversations=catalog.conversations, language=language,
                            backend=backend, tools=toolset.toolbox(tools.get(stage, []),
                                                                   stage=stage))

    return context


def verify_context(settings: Settings) -> Callable[[FormalLanguage], StageContext]:
    """For `retrolean verify`: the round trip's context in each language, on the configured
    backend (a model where one is configured, else the template process)."""
    backend = "model" if settings.uses_model else "template"
    made: dict[FormalLanguage, StageContext] = {}

    def context(language: FormalLanguage) -> StageContext:
        if language not in made:
            plan = {"language": language, "backend": backend, "recipe": settings.recipe}
            made[language] = checks_context(settings, plan)("roundtrip")
        return made[language]

    return context
