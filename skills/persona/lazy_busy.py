"""Persona: lazy/busy but fundamentally intelligent — terse, lowercase, only the key figure.

Drops greetings and most detail; names each part by its shortest lay term
and one count; often leaves links implicit ("they're connected"), which is
recorded as an omission.

Example: "quick q. colouring thing, 5 of them. scheduling bit, 4 of them.
colours = start times. cleanest way to set this up?"
"""

from __future__ import annotations

import random

from retrolean.skills.cards import Frame
from retrolean.skills.persona.base import DomainView, LinkView, PersonaProcess, strip_article

OPENINGS = ("quick q.", "no time, short version:", "", "tl;dr:")
CLOSINGS = ("cleanest way to set this up?", "thx", "how do i write this properly", "")


class LazyBusy(PersonaProcess):
    id = "lazy_busy"

    def opening(self, rng: random.Random) -> str:
        return rng.choice(OPENINGS)

    def domain_segment(self, view: DomainView, rng: random.Random, errors: list[str]) -> str:
        term = min(view.card.lay_terms, key=len).lower()
        if rng.random() < 0.3 * self.noise:
            errors.append(f"{view.card.id}: count left out")
            return f"{term}."
        return f"{term}, {view.size} of them."

    def frame_segment(self, view: DomainView, frame: Frame, rng: random.Random) -> str:
        return f"basically {frame.text.lower()}."

    def need_segment(self, need: str, rng: random.Random) -> str:
        return rng.choice((f"also need {need}, no idea what that's called.",
                           f"+ {need}?? idk"))

    def link_segment(self, view: LinkView, rng: random.Random) -> str:
        if rng.random() < 0.4 * self.noise:
            return "they're connected somehow."
        return f"{strip_article(view.noun_a)} = {strip_article(view.noun_b)}."

    def closing(self, rng: random.Random) -> str:
        return rng.choice(CLOSINGS)
