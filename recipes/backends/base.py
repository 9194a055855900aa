"""The interface every skill backend implements, batch by batch, and what callers may use.

`SkillBackend` declares everything a stage or the agent calls on a backend —
the skills, the model-call log (`drain_calls`, `call_totals`), the client a
model planner can share, the skill versions records carry — so no caller
probes a backend for what it might have. The template backend answers the
model-only parts plainly: no client, no calls, zero totals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from retrolean.memory.languages import FormalLanguage
from retrolean.memory.signature import Signature
from retrolean.recipes.backends.calls import CallTotals, ModelCall
from retrolean.recipes.recipe import Parameters
from retrolean.skills.cards import DomainCard, PersonaCard
from retrolean.skills.drop_domain.template import Dropped
from retrolean.skills.persona.base import Draft
from retrolean.skills.problems.spec import ProblemSpec
from retrolean.tools.generate import ModelClient
from retrolean.tools.judge import JudgeScore

__all__ = ["DropRequest", "Dropped", "Failure", "FormalDraft", "Reformalize", "SkillBackend"]


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
class Reformalize:
    """A text to formalize again, over the original's signature (its declared unknowns).

    `exact`: the round trip's literal reading — everything the text states, nothing it does
    not, and no guessed figures (a text that cannot be read so fails); otherwise the lenient
    reading a persona's lossy words need.
    """

    text: str
    signature: Signature | None = None
    exact: bool = True


@dataclass
class DropRequest:
    """What dropping a domain from one persona description needs."""

    spec: ProblemSpec
    segments: dict[str, str]
    text: str
    dropped: str
    persona: PersonaCard
    frame_shift: bool


@runtime_checkable
class SkillBackend(Protocol):
    """Produces the generated parts of the recipe, and accounts for the model calls it made."""

    name: str  # "template" or "model"
    model: str | None  # the model's name; None on the template backend
    client: ModelClient | None  # the endpoint's client (a model planner shares it), or None
    skill_versions: dict[str, str]  # skill id -> version, recorded in every record
    renders_in: frozenset[FormalLanguage]  # languages `render` can put a written problem in
    honours: frozenset[str]  # the recipe parameters only this backend reads (others: stages)

    def use_parameters(self, params: Parameters) -> None:
        """Take the recipe parameters in force for the calls that follow (a stage, a retry)."""
        ...

    def drain_calls(self) -> list[ModelCall]:
        """The model calls made since the last drain, oldest first (none on the template)."""
        ...

    def call_totals(self) -> CallTotals:
        """Running totals over every model call so far (zero on the template)."""
        ...

    def formalize(self, items: list[tuple[list[str], str | None, random.Random]],
                  language: FormalLanguage, params: Parameters) -> list[FormalDraft | Failure]:
        """A formal problem per (domains, theme, rng), under the recipe parameters in force."""
        ...

    def render(self, drafts: list[FormalDraft], language: FormalLanguage
               ) -> list[FormalDraft | Failure]:
        """Each problem rendered in `language` (for a checker that reads it), or why not."""
        ...

    def caption(self, items: list[tuple[FormalDraft, random.Random]], concise_rate: float,
                feedback: list[str | None] | None = None
                ) -> list[tuple[str, list[str]] | Failure]:
        """English caption per formal problem, and the domains stated without figures.

        `feedback` (per item) says what was wrong with an earlier caption of the same problem
        — a round trip's counterexample — so the caption is written again with it in mind.
        """
        ...

    def reformalize(self, items: list[Reformalize], language: FormalLanguage
                    ) -> list[FormalDraft | Failure]:
        """A formal problem per English (or vague) text, over its signature where given."""
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

    def judge_presence(self, items: list[tuple[str, DomainCard]]) -> list[JudgeScore | None]:
        """The judge's score that the formal text uses the domain; None where none was had."""
        ...
