"""Persona: the humanities major — long, narrative, metaphorical, light on figures.

Sees structure as story and meaning; reaches for the domains' frames and lay
terms rather than their names; keeps a number only now and then, often
rounded ("maybe five or so"), and sometimes miscounts.

Example segment: "There is this part that feels like giving everything a colour
so neighbours differ — seating guests at a few tables so that people who clash
are never put at the same table — and there are maybe five or so of them."
"""

from __future__ import annotations

import random

from retrolean.skills.cards import Frame
from retrolean.skills.persona.base import (
    DomainView,
    LinkView,
    PersonaProcess,
    number_word,
    strip_article,
)

OPENINGS = (
    "Okay, so I have been turning this over in a very non-technical way, so bear with me.",
    "This is going to sound more like an essay than a question, but here goes.",
    "I keep thinking about this as a kind of story, and I am not sure how to pin it down.",
    "Forgive the prose; I come at this from reading, not from equations.",
)
FEELINGS = ("feels almost like a ritual", "has a strange poetry to it", "reads like a parable",
            "is oddly moving when you think about it", "carries a sort of quiet tension")
CLOSINGS = (
    "Does that make any sense? I feel like there is a real structure underneath all of this.",
    "I suspect there is a rigorous version of this, I just cannot see its bones.",
    "Is there a way to say this properly, the way a mathematician would?",
)


class HumanitiesMajor(PersonaProcess):
    id = "humanities_major"

    def opening(self, rng: random.Random) -> str:
        return rng.choice(OPENINGS)

    def _count(self, view: DomainView, rng: random.Random, errors: list[str]) -> str:
        n = view.size
        if rng.random() < 0.25 * self.noise:
            wrong = max(1, n + rng.choice((-1, 1)))
            errors.append(f"{view.card.id}: says about {wrong} where there are {n}")
            n = wrong
        return rng.choice((f"maybe {number_word(n)} or so of them",
                           f"something like {number_word(n)}", "a handful of them"))

    def domain_segment(self, view: DomainView, rng: random.Random, errors: list[str]) -> str:
        frame = rng.choice(view.card.frames)
        lay = rng.choice(view.card.lay_terms)
        feeling = rng.choice(FEELINGS)
        if rng.random() < 0.5:
            return (f"There is this part that feels like {lay} — {frame.text} — and there are "
                    f"{self._count(view, rng, errors)}; it {feeling}.")
        return (f"Then, in a way, it is about {frame.text}, which {feeling}, with "
                f"{self._count(view, rng, errors)}.")

    def frame_segment(self, view: DomainView, frame: Frame, rng: random.Random) -> str:
        feeling = rng.choice(FEELINGS)
        return f"Seen from another angle, it is really about {frame.text}, which {feeling}."

    def need_segment(self, need: str, rng: random.Random) -> str:
        return rng.choice((
            f"And I feel like I need {need}, but I honestly do not know what that would be called.",
            f"Somewhere in the middle there has to be {need}; I can sense it but not name it.",
        ))

    def link_segment(self, view: LinkView, rng: random.Random) -> str:
        a, b = strip_article(view.noun_a), strip_article(view.noun_b)
        return rng.choice((
            f"What moves me is that the {a} and the {b} seem to be the same thing under two names.",
            f"And the {a} somehow answer to the {b}, like an echo.",
        ))

    def closing(self, rng: random.Random) -> str:
        return rng.choice(CLOSINGS)
