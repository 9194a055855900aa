"""The interface every skill backend implements, batch by batch."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Protocol

from retrolean.recipes.recipe import Parameters
from retrolean.skills.cards import DomainCard, PersonaCard
from retrolean.skills.persona.base import Draft
from retrolean.skills.problems.spec import ProblemSpec


@dataclass
class Failure:
    """Why a backend could not produce an item (a model's bad output, a refusal, …)."""

    reason: str


@dataclass
class FormalDraft:
    """A formal text, the structured spec when the backend has one, and its witness if known."""

    text: str
    spec: ProblemSpec | None = None
    witness: dict[str, int] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class DropRequest:
    spec: ProblemSpec
    segments: dict[str, str]
    text: str
    dropped: str
    persona: PersonaCard
    frame_shift: bool


@dataclass
class Dropped:
    text: str
    frames: dict[str, str] = field(default_factory=dict)


class SkillBackend(Protocol):
    """Produces the generated parts of the recipe."""

    name: str  # "template" or "model"
    model: str | None

    def formalize(self, items: list[tuple[list[str], str | None, random.Random]],
                  language: str, params: Parameters) -> list[FormalDraft | Failure]:
        """A formal problem per (domains, theme, rng), under the recipe parameters in force."""
        ...

    def caption(self, items: list[tuple[FormalDraft, random.Random]],
                concise_rate: float) -> list[tuple[str, list[str]] | Failure]:
        """English caption per formal problem, and the domains stated without figures."""
        ...

    def reformalize(self, texts: list[str], language: str) -> list[FormalDraft | Failure]:
        """A formal problem per English (or vague) text."""
        ...

    def persona(self, items: list[tuple[FormalDraft, str, random.Random]],
                persona: PersonaCard) -> list[Draft | Failure]:
        """A description in the persona's voice per (problem, caption, rng)."""
        ...

    def drop(self, items: list[tuple[DropRequest, random.Random]]) -> list[Dropped | Failure]:
        """The description with one domain replaced by its need."""
        ...

    def fill_in(self, items: list[tuple[FormalDraft, str, random.Random]]) -> list[str | Failure]:
        """The assistant's fill-in naming the dropped domain, per (problem, dropped, rng)."""
        ...

    def judge_presence(self, items: list[tuple[str, DomainCard]]) -> list[float | None]:
        """p(yes) that the formal text uses the domain; None where no judge runs."""
        ...
