"""The stage registry: each stage's function, the parts it needs and makes, the tools it calls.

A stage calls its tools through its toolbox (`StageContext.tools`), which
holds only the tools its plan names; `StageDef` says which tools that must
include, so plan validation (`recipes.plans.stage_problems`) refuses a plan
the stage could not run, and which tools it can use at all:

- `needs`: tools its checks always call, with what for;
- `generates`: it writes parts through `generate` (a skill on the model or by
  its template process);
- `checks_formal`: it decides formal texts, so it names at least one checker
  (`smt_check`, `lean_check`); every checker it names must pass;
- `judges`: it may ask the judge (presence); without `judge` it rests on
  touchstones alone;
- `proves`: what it proves about formal texts, and with which prover:
  `"run"` — in the run's own language (the round trip's equivalence: Z3 or
  Lean), `"z3"` — with Z3 on the SMT-LIB text or rendering (links, missing
  domain). Plan validation asks for the checker tool that runs that prover.

Each stage is registered wrapped by `accounted` (its model calls join its figures).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from retrolean.recipes.recipe import STAGE_SKILLS
from retrolean.recipes.records import Record
from retrolean.recipes.stages.accounting import accounted
from retrolean.recipes.stages.context import StageContext, StageResult
from retrolean.recipes.stages.conversations import conversations
from retrolean.recipes.stages.english import caption, roundtrip
from retrolean.recipes.stages.formal import formalize, presence
from retrolean.recipes.stages.personas import fill_in, missing, personas
from retrolean.tools.checkers import CHECKER_LANGUAGE

StageRun = Callable[[list[Record], StageContext], StageResult]


@dataclass(frozen=True)
class StageDef:
    """A stage: how it runs, what it needs and makes, which tools it calls."""

    run: StageRun
    requires: frozenset[str]
    provides: frozenset[str]
    needs: dict[str, str] = field(default_factory=dict)  # tool -> what the stage uses it for
    generates: bool = True
    checks_formal: bool = False
    judges: bool = False
    proves: str | None = None  # "run": in the run's language; "z3": with Z3 on SMT-LIB

    def usable_tools(self) -> set[str]:
        """Every tool this stage can call; naming any other changes nothing, so plans may not."""
        tools = set(self.needs)
        if self.generates:
            tools.add("generate")
        if self.checks_formal:
            tools |= set(CHECKER_LANGUAGE)
        if self.judges:
            tools.add("judge")
        return tools


def _def(run: StageRun, requires: set[str], provides: set[str], **kw: object) -> StageDef:
    return StageDef(accounted(run), frozenset(requires), frozenset(provides), **kw)  # type: ignore[arg-type]


STAGES: dict[str, StageDef] = {
    "formalize": _def(formalize, set(), {"formal"}, checks_formal=True, proves="z3"),
    "presence": _def(presence, {"formal"}, {"presence"}, generates=False, judges=True,
                     needs={"touchstones": "to find each domain's touchstones in the formal "
                                           "text"}),
    "caption": _def(caption, {"formal"}, {"english"}),
    "roundtrip": _def(roundtrip, {"english"}, {"checkpoint"}, checks_formal=True, proves="run",
                      needs={"embed_similarity": "to compare the round trip with the "
                                                 "original"}),
    "personas": _def(personas, {"english"}, {"personas"}),
    "missing": _def(missing, {"personas"}, {"missing"}, checks_formal=True, proves="z3",
                    needs={"touchstones": "to confirm the dropped domain's touchstones are "
                                          "gone",
                           "embed_similarity": "to measure how far the version moved from "
                                               "the full problem"}),
    "fill_in": _def(fill_in, {"missing"}, {"fill_in"}),
    "conversations": _def(conversations, {"fill_in", "personas", "english"},
                          {"conversations"}),
}
assert list(STAGES) == list(STAGE_SKILLS), "every stage has its skill, in recipe order"
