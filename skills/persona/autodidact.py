"""Persona: the autodidact who mixes fields — private coinages, borrowed frames.

Explains each domain through a frame and credits it to some other field he has
read about; coins a name for it; keeps a figure or two; now and then attaches
a domain to the wrong discipline, which is recorded as a slip.

Example segment: "what the economists call 'the neighbour rule' (I think it is
really seating guests at a few tables so that people who clash are never put at
the same table), over 5 of them"
"""

from __future__ import annotations

import random

from retrolean.skills.cards import Frame
from retrolean.skills.persona.base import DomainView, LinkView, PersonaProcess, strip_article

FIELDS = ("cybernetics", "old Chinese bookkeeping", "systems ecology", "medieval music theory",
          "Austrian economics", "information theory", "the Stoics", "permaculture")
OPENINGS = ("I have been reading across a few fields on my own and I think there is a link "
            "nobody talks about.",
            "Self-taught here, so my words may be odd, but I think I see a pattern.",
            "I put this together from a few books that have nothing to do with each other.")
CLOSINGS = ("Is there a proper field that already does all of this at once?",
            "I would love to see how a trained person would write this down.",
            "Am I reinventing something?")


def coin(rng: random.Random) -> str:
    """A private name for an idea. Example: coin(Random(0)) -> "the keel rule"."""
    return "the " + rng.choice(("keel", "braid", "lantern", "ledger", "tide", "hinge")) + " " + \
        rng.choice(("rule", "principle", "effect", "law"))


class Autodidact(PersonaProcess):
    id = "autodidact"

    def opening(self, rng: random.Random) -> str:
        return rng.choice(OPENINGS)

    def domain_segment(self, view: DomainView, rng: random.Random, errors: list[str]) -> str:
        frame = rng.choice(view.card.frames)
        field = rng.choice(FIELDS)
        if rng.random() < 0.2 * self.noise:
            errors.append(f"{view.card.id}: credited to {field}")
        lay = rng.choice(view.card.lay_terms)
        noun = strip_article(view.ports[0].noun)
        return (f"There is what {field} would call '{coin(rng)}' (I think it is really {lay}: "
                f"{frame.text}), and it runs over {view.size} {noun}.")

    def frame_segment(self, view: DomainView, frame: Frame, rng: random.Random) -> str:
        return (f"In {rng.choice(FIELDS)} terms this part is {frame.text}, what I call "
                f"'{coin(rng)}'.")

    def need_segment(self, need: str, rng: random.Random) -> str:
        return (f"What I have not found in any book is {need}; I feel like I need exactly "
                f"that, whatever it is called.")

    def link_segment(self, view: LinkView, rng: random.Random) -> str:
        a, b = strip_article(view.noun_a), strip_article(view.noun_b)
        return f"By my reading of {rng.choice(FIELDS)}, the {a} have to line up with the {b}."

    def closing(self, rng: random.Random) -> str:
        return rng.choice(CLOSINGS)
