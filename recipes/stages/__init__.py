"""The stage registry: each stage's function, the parts it needs and the parts it makes.

Each stage is registered wrapped by `accounted` (its model calls join its figures).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from retrolean.recipes.records import Record
from retrolean.recipes.stages.accounting import accounted
from retrolean.recipes.stages.context import StageContext, StageResult
from retrolean.recipes.stages.conversations import conversations
from retrolean.recipes.stages.english import caption, roundtrip
from retrolean.recipes.stages.formal import formalize, presence
from retrolean.recipes.stages.personas import fill_in, missing, personas


@dataclass(frozen=True)
class StageDef:
    run: Callable[[list[Record], StageContext], StageResult]
    skill: str
    requires: frozenset[str]
    provides: frozenset[str]


def _def(run, skill: str, requires: set[str], provides: set[str]) -> StageDef:
    return StageDef(accounted(run), skill, frozenset(requires), frozenset(provides))


STAGES: dict[str, StageDef] = {
    "formalize": _def(formalize, "formalize", set(), {"formal"}),
    "presence": _def(presence, "judge_presence", {"formal"}, {"presence"}),
    "caption": _def(caption, "caption", {"formal"}, {"english"}),
    "roundtrip": _def(roundtrip, "reformalize", {"english"}, {"checkpoint"}),
    "personas": _def(personas, "persona", {"english"}, {"personas"}),
    "missing": _def(missing, "drop_domain", {"personas"}, {"missing"}),
    "fill_in": _def(fill_in, "fill_in", {"missing"}, {"fill_in"}),
    "conversations": _def(conversations, "conversation", {"fill_in", "personas", "english"},
                          {"conversations"}),
}
