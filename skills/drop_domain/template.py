"""drop_domain, template process: remove one domain, voice its need instead.

Starting from a persona description's segments, the dropped domain's segment
becomes the persona voicing the domain's *need* ("I feel like I need some way
to …"), and every link that touched the dropped domain goes (its nouns would
give the domain away). With the given probability the remaining domains are
re-described through one of their alternative frames — a frame change.

Example: drop(spec, draft_segments, "primes", persona, cards, Random(0), 0.5)
  -> Dropped(dropped="primes", frame_shifted=True, text="… I feel like I need
     some way to pick numbers that cannot be split into smaller equal groups …")
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from retrolean.skills.cards import DomainCard, PersonaCard
from retrolean.skills.persona.base import join_segments, views_of
from retrolean.skills.persona.template import process_for
from retrolean.skills.problems.spec import ProblemSpec

VERSION = "template-1"


@dataclass
class Dropped:
    dropped: str
    frame_shifted: bool
    text: str
    frames: dict[str, str] = field(default_factory=dict)


def choose_dropped(spec: ProblemSpec, rng: random.Random) -> str:
    """Which domain to drop: any of them, uniformly."""
    return rng.choice(spec.domains)


def drop(spec: ProblemSpec, segments: dict[str, str], dropped: str, persona: PersonaCard,
         cards: dict[str, DomainCard], rng: random.Random, frame_shift_rate: float) -> Dropped:
    """The persona description with `dropped` replaced by its need (and maybe reframed)."""
    process = process_for(persona)
    views, links = views_of(spec, cards)
    shifted = rng.random() < frame_shift_rate
    frames: dict[str, str] = {}
    out: list[str] = []
    for key, text in segments.items():
        if key == dropped:
            out.append(process.need_segment(cards[dropped].need, rng))
        elif key.startswith("@link"):
            link = links[int(key.removeprefix("@link"))].link
            if dropped not in (link.a, link.b):
                out.append(text)
        elif key in views and shifted:
            frame = rng.choice(cards[key].frames)
            frames[key] = frame.name
            out.append(process.frame_segment(views[key], frame, rng))
        else:
            out.append(text)
    return Dropped(dropped=dropped, frame_shifted=shifted, text=join_segments(out), frames=frames)
