"""The plan's tools are real: stages run through the tools they name, validated, traced."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from pydantic import ValidationError

from retrolean.agent.cli import main
from retrolean.memory.languages import FormalLanguage
from retrolean.recipes.backends.base import FormalDraft
from retrolean.recipes.backends.template import TemplateBackend
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.recipes.plans import PlanTarget, load_recipe, plan_stages, stage_problems
from retrolean.recipes.recipe import RECIPE_DIR, Parameters, StageSpec
from retrolean.recipes.stages.context import StageContext
from retrolean.skills.problems.registry import gadget_domains
from retrolean.tools.embed_similarity import Embedder
from retrolean.tools.registry import TOOLS
from retrolean.tools.save_set import load_set
from retrolean.tools.smt_check import smt_check
from retrolean.tools.toolbox import ToolNotNamed, ToolSet
from retrolean.tools.verdict import Verdict
from retrolean.traces.schema import ActionBlock
from retrolean.traces.writer import read_trace

SMT, LEAN = FormalLanguage.SMTLIB2, FormalLanguage.LEAN4
TEMPLATE_SMT = PlanTarget(backend="template", language=SMT, renders_in=frozenset(FormalLanguage))
MODEL_SMT = PlanTarget(backend="model", language=SMT)
CATALOG = load_catalog()
DEFAULT = load_recipe("make-r1-easier-to-prompt")


def cli(*argv: str) -> int:
    with pytest.raises(SystemExit) as e:
        main(list(argv))
    return int(e.value.code or 0)


def stages_with(name: str, tools: list[str]) -> list[StageSpec]:
    """The default plan for an SMT-LIB run, with one stage's tools replaced."""
    return [s.model_copy(update={"tools": tools}) if s.name == name else s
            for s in plan_stages(DEFAULT.stages, SMT)]


# -- plans and their validation --------------------------------------------------------------
@pytest.mark.parametrize("language, checker", [(SMT, "smt_check"), (LEAN, "lean_check")])
def test_the_default_recipe_checks_in_the_runs_language(language, checker):
    for backend in (TEMPLATE_SMT, MODEL_SMT):
        stages = plan_stages(DEFAULT.stages, language, backend.renders_in)
        checking = {s.name for s in stages if checker in s.tools}
        assert checking == {"formalize", "roundtrip", "missing"}
        target = PlanTarget(backend=backend.backend, language=language,
                            renders_in=backend.renders_in)
        assert stage_problems(stages, target) == []
        proving = {s.name for s in stages if "smt_check" in s.tools}  # Z3's proofs
        z3_reads = language == SMT or SMT in backend.renders_in
        assert proving == ({"formalize", "roundtrip", "missing"} if language == SMT
                           else {"formalize", "missing", "roundtrip"} if z3_reads else set())


@pytest.mark.parametrize("stage, tools, fragment", [
    ("presence", ["judge"], "needs touchstones to find each domain's touchstones"),
    ("caption", [], "writes its parts with skill 'caption' through generate; add generate"),
    ("formalize", ["generate"], "decides formal texts but names no checker; add smt_check"),
    ("roundtrip", ["generate", "smt_check"], "needs embed_similarity"),
    ("missing", ["generate", "embed_similarity", "touchstones"], "names no checker"),
    ("caption", ["generate", "judge"], "does not call judge"),
    ("fill_in", ["generate", "save_set"], "save_set runs after every stage by itself"),
    ("fill_in", ["generate", "hammer"], "unknown tool 'hammer'"),
])
def test_a_stage_without_the_tools_its_checks_need_is_refused(stage, tools, fragment):
    problems = stage_problems(stages_with(stage, tools), TEMPLATE_SMT)
    assert len(problems) == 1 and fragment in problems[0] and problems[0].startswith("stages.")


def test_a_checker_the_model_backend_cannot_feed_is_a_plan_error_not_a_skip():
    stages = stages_with("formalize", ["generate", "smt_check", "lean_check"])
    assert stage_problems(stages, TEMPLATE_SMT) == []  # the template renders either language
    (problem,) = stage_problems(stages, MODEL_SMT)
    assert "lean_check reads Lean 4, but this run's texts are SMT-LIB 2" in problem
    assert "--formal lean4" in problem


def test_the_skill_follows_from_the_stage():
    assert StageSpec(name="roundtrip").skill == "reformalize"
    assert StageSpec(name="roundtrip", skill="reformalize").model_dump()["skill"] == "reformalize"
    with pytest.raises(ValidationError, match="runs skill 'caption', not 'persona'"):
        StageSpec(name="caption", skill="persona")


# -- the toolbox ------------------------------------------------------------------------------
def test_a_tool_the_plan_does_not_name_cannot_be_called():
    box = ToolSet(check=lambda text, language: smt_check(text), embedder=Embedder()).toolbox(
        ["generate", "smt_check"], stage="formalize")
    assert box.check("smt_check", ["(declare-const x Int)(assert (> x 1))(check-sat)"])[0].ok
    with pytest.raises(ToolNotNamed, match="stage formalize called lean_check"):
        box.check("lean_check", ["theorem t : True := trivial"])
    with pytest.raises(ToolNotNamed):
        box.touchstones([("x", ["y"])], SMT)


def _context(tools: list[str], check) -> StageContext:
    toolset = ToolSet(check=check, embedder=Embedder())
    return StageContext(recipe=DEFAULT, domains=CATALOG.domains, personas=CATALOG.personas,
                        conversations=CATALOG.conversations, language=SMT,
                        backend=TemplateBackend(CATALOG.domains),
                        tools=toolset.toolbox(tools, stage="formalize"))


def _drafts(ctx: StageContext) -> list[FormalDraft]:
    domains = gadget_domains()[:2]
    drafts = [ctx.backend.formalize([(domains, None, random.Random(seed))], SMT, Parameters(
        guided_link_rate=1.0))[0] for seed in range(6)]
    consistent = [d for d in drafts if isinstance(d, FormalDraft) and smt_check(d.text).ok]
    assert consistent, "a fully guided combination should be consistent"
    return consistent[:1]


def test_one_checker_of_the_runs_language_keeps_the_record_as_it_was():
    ctx = _context(["generate", "smt_check"], lambda text, language: smt_check(text))
    (checked,) = ctx.check(_drafts(ctx))
    assert checked.verdict.ok and checked.verdict.witness and checked.checks is None


def test_with_two_checkers_every_one_must_pass_and_each_verdict_is_kept():
    seen: list[FormalLanguage] = []

    def check(text: str, language: FormalLanguage) -> Verdict:
        seen.append(language)
        if language == LEAN:  # Lean refuses what Z3 accepts: the problem must fail
            return Verdict(ok=False, status="error", checker="lean 4 (test)", reason="nope")
        return smt_check(text)

    ctx = _context(["generate", "smt_check", "lean_check"], check)
    (checked,) = ctx.check(_drafts(ctx))
    assert seen == [SMT, LEAN]
    assert not checked.verdict.ok and checked.verdict.reason == "lean_check: nope"
    assert checked.verdict.checker.endswith("+ lean 4 (test)")
    assert set(checked.checks or {}) == {"smt_check", "lean_check"}
    lean = checked.checks["lean_check"]
    assert lean.language == LEAN and "theorem problem_consistent" in (lean.text or "")
    assert checked.checks["smt_check"].text is None  # the record's own text


# -- runs ---------------------------------------------------------------------------------------
def _recipe(tmp_path: Path, tools: dict[str, list[str]]) -> str:
    lines = (RECIPE_DIR / "make-r1-easier-to-prompt.yaml").read_text().splitlines()
    out, current = [], None
    for line in lines:
        if line.startswith("  - name: "):
            current = line.removeprefix("  - name: ").strip()
        if line.startswith("    tools: ") and current in tools:
            line = f"    tools: [{', '.join(tools[current])}]"
        out.append(line)
    path = tmp_path / "recipe.yaml"
    path.write_text("\n".join(out) + "\n")
    return str(path)


def test_a_plan_may_add_lean_to_a_stage_and_choose_it_for_another(tmp_path, workspace,
                                                                 monkeypatch):
    """SMT-LIB run, template backend, a stand-in `lean`: formalize is checked by Z3 and Lean,
    the round trip by Lean too (on its Lean rendering), beside Z3, which proves it."""
    from lean_standins import events, standin_config

    monkeypatch.setenv("RETROLEAN_LEAN", standin_config(tmp_path).executable)
    recipe = _recipe(tmp_path, {"formalize": ["generate", "smt_check", "lean_check"],
                                "roundtrip": ["generate", "embed_similarity", "lean_check",
                                              "smt_check"]})
    assert cli("run", "g", "--n", "4", "--seed", "3", "--formal", "smtlib2", "--recipe",
               recipe, "--workspace", str(workspace)) == 0
    (run,) = (workspace / "runs").iterdir()
    records = load_set(run / "sets" / "formalize.jsonl")
    assert records and events(tmp_path, "start")
    for r in records:
        checks = r["formal"]["checks"]
        assert set(checks) == {"smt_check", "lean_check"} and r["formal"]["language"] == "smtlib2"
        assert checks["smt_check"]["verdict"]["status"] == "sat"
        assert checks["lean_check"]["verdict"]["checker"].startswith("lean 4.99.0-standin")
        assert "theorem problem_consistent" in checks["lean_check"]["text"]
        assert " + lean 4.99.0-standin" in r["formal"]["check"]["checker"]
    for r in load_set(run / "sets" / "roundtrip.jsonl"):
        rt = r["english"]["roundtrip"]
        assert set(rt["checks"]) == {"smt_check", "lean_check"} and rt["method"] == "equivalence"
    _, blocks = read_trace(run / "trace.jsonl")
    called = {(b.stage, b.data.tool) for b in blocks if isinstance(b, ActionBlock)}
    assert ("formalize", "lean_check") in called and ("roundtrip", "lean_check") in called


def test_a_stage_must_name_the_prover_of_its_proofs(tmp_path, workspace, capsys):
    recipe = _recipe(tmp_path, {"roundtrip": ["generate", "embed_similarity", "lean_check"]})
    assert cli("run", "g", "--formal", "smtlib2", "--recipe", recipe,
               "--workspace", str(workspace)) == 2
    assert "stage 'roundtrip' proves its checks with smt_check" in capsys.readouterr().err


def test_a_plan_naming_lean_where_none_runs_is_refused_before_anything_is_written(
        tmp_path, workspace, monkeypatch, capsys):
    monkeypatch.setenv("RETROLEAN_LEAN", str(tmp_path / "no-lean-here"))
    recipe = _recipe(tmp_path, {"formalize": ["generate", "smt_check", "lean_check"]})
    assert cli("run", "g", "--formal", "smtlib2", "--recipe", recipe,
               "--workspace", str(workspace)) == 2
    err = capsys.readouterr().err
    assert "stage 'formalize' names lean_check, but Lean is not usable here" in err
    assert not workspace.exists()


def test_the_traces_actions_are_the_stages_tool_calls(tmp_path, workspace):
    assert cli("run", "g", "--n", "8", "--seed", "1", "--formal", "smtlib2",
               "--workspace", str(workspace)) == 0
    (run,) = (workspace / "runs").iterdir()
    plan = {s["name"]: set(s["tools"]) for s in json.loads(
        (run / "plan.json").read_text())["stages"]}
    _, blocks = read_trace(run / "trace.jsonl")
    actions = [b for b in blocks if isinstance(b, ActionBlock)]
    for action in actions:
        assert action.data.tool in plan[action.stage] | {"save_set"}, action.body
        TOOLS[action.data.tool].arguments.model_validate(action.data.arguments)
    assert {a.stage for a in actions if a.data.tool == "save_set"} == set(plan)  # each saved
    following = {b.index - 1 for b in blocks if b.type == "observation"}
    assert all(a.index in following for a in actions)  # every call has its observation
