"""Persona: the STEM guy on LSD — jargon, cosmic leaps, figures kept but shuffled.

Names the domains by their technical names and wraps them in physics-flavoured
metaphor; keeps the figures but sometimes swaps them between parts; calls
every link an entanglement.

Example segment: "the graph colouring layer is like 5 vertex colours
vibrating out of phase, an eigen-thing of the whole structure"
"""

from __future__ import annotations

import random

from retrolean.skills.cards import Frame
from retrolean.skills.persona.base import DomainView, LinkView, PersonaProcess, strip_article

OPENINGS = ("ok hear me out.", "so this hit me at like 3am and I think it is deep:",
            "bro. listen. I think everything is one system:", "ok this is going to be cosmic:")
METAPHORS = ("vibrating out of phase", "folding into each other like a Calabi-Yau thing",
             "basically a standing wave", "an eigen-thing of the whole structure",
             "a fractal of itself", "humming like the universe itself")
CLOSINGS = ("it is all one system man. can you make it rigorous?",
            "somebody has to have formalized this. can you?",
            "I KNOW there is a clean version. help me see it.")


class StemOnLsd(PersonaProcess):
    id = "stem_on_lsd"

    def opening(self, rng: random.Random) -> str:
        return rng.choice(OPENINGS)

    def domain_segment(self, view: DomainView, rng: random.Random, errors: list[str]) -> str:
        n = view.size
        if rng.random() < 0.3 * self.noise:
            wrong = n * 2 if rng.random() < 0.5 else max(1, n - 2)
            errors.append(f"{view.card.id}: says {wrong} where there are {n}")
            n = wrong
        noun = strip_article(view.ports[0].noun)
        return (f"the {view.card.name} layer is like {n} {noun}, {rng.choice(METAPHORS)}, "
                f"and {rng.choice(METAPHORS)} on top.")

    def frame_segment(self, view: DomainView, frame: Frame, rng: random.Random) -> str:
        return f"and also, zoom out: it is {frame.text}, {rng.choice(METAPHORS)}."

    def need_segment(self, need: str, rng: random.Random) -> str:
        return rng.choice((f"and there is this missing operator, I need {need}, you know?",
                           f"I feel like I need {need} but my brain cannot find the word."))

    def link_segment(self, view: LinkView, rng: random.Random) -> str:
        a, b = strip_article(view.noun_a), strip_article(view.noun_b)
        return rng.choice((f"the {a} and the {b} are literally entangled, same quantity!",
                           f"{a} = {b}, like two projections of one vector."))

    def closing(self, rng: random.Random) -> str:
        return rng.choice(CLOSINGS)
