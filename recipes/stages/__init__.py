"""The stage registry: each stage's function, the parts it needs and the parts it makes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from recipes.records import Record
from recipes.stages.context import StageContext, StageResult
from recipes.stages.conversations import conversations
from recipes.stages.english import caption, roundtrip
from recipes.stages.formal import formalize, presence
from recipes.stages.personas import fill_in, missing, personas


@dataclass(frozen=True)
class StageDef:
    run: Callable[[list[Record], StageContext], StageResult]
    requires: frozenset[str]
    provides: frozenset[str]


def _def(run, requires: set[str], provides: set[str]) -> StageDef:
    return StageDef(run, frozenset(requires), frozenset(provides))


STAGES: dict[str, StageDef] = {
    "formalize": _def(formalize, set(), {"formal"}),
    "presence": _def(presence, {"formal"}, {"presence"}),
    "caption": _def(caption, {"formal"}, {"english"}),
    "roundtrip": _def(roundtrip, {"english"}, {"checkpoint"}),
    "personas": _def(personas, {"english"}, {"personas"}),
    "missing": _def(missing, {"personas"}, {"missing"}),
    "fill_in": _def(fill_in, {"missing"}, {"fill_in"}),
    "conversations": _def(conversations, {"fill_in", "personas", "english"}, {"conversations"}),
}
