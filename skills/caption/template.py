"""caption, template process: state a formal problem in plain English.

The caption is the gadgets' own sentences (one per domain, a seeded choice of
wording) plus one sentence per link, framed by a varied opening and closing; a drawn theme
sets the scene in one of several sentences and often closes the caption as well.
With a small probability a domain is stated *concisely* — named, without its
figures — as captioners often do; the round trip then catches the loss.

Example: caption(spec, cards, Random(0)).text ->
  "Here is the problem. A graph has 5 vertices, … Each of the vertex colours
   must equal the matching one of the job start times. Find integer values …"
"""

from __future__ import annotations

import random

from retrolean.skills.cards import DomainCard
from retrolean.skills.problems.registry import gadget_for
from retrolean.skills.problems.spec import ProblemSpec, compile_spec, describe_link

VERSION = "template-1"

OPENINGS = (
    "Here is the problem.",
    "Consider the following combined problem.",
    "The task combines several requirements at once.",
    "We need integer values meeting all of the following conditions.",
)
CLOSINGS = (
    "Find integer values satisfying every condition at once, or show that none exist.",
    "Decide whether all of these conditions can hold together, and if so give a solution.",
    "The question is whether one assignment of whole numbers meets all of this.",
)
# a drawn theme sets the scene and, half the time, closes the caption too
THEMES = (
    "The setting is {theme}.",
    "This comes from {theme}, where every number below has to be settled before work starts.",
    "The story is set in {theme}: the quantities below are what its people must decide.",
    "Picture {theme}; what follows is the planning it needs.",
)
THEME_CLOSINGS = (
    "For {theme}, find whole numbers that meet every condition at once, or show there are none.",
    "The question for {theme} is whether one assignment of whole numbers meets all of this.",
)
CONCISE = "There is also a {name} part, details left open."


def caption(spec: ProblemSpec, cards: dict[str, DomainCard], rng: random.Random,
            concise_rate: float = 0.0) -> tuple[str, list[str]]:
    """The English caption and the domains it stated without figures."""
    segments, concise = caption_segments(spec, cards, rng, concise_rate)
    return " ".join(segments.values()), concise


def caption_segments(spec: ProblemSpec, cards: dict[str, DomainCard], rng: random.Random,
                     concise_rate: float = 0.0) -> tuple[dict[str, str], list[str]]:
    """The caption's sentences by what they state — "@opening", "@theme", each domain id,
    "@link0", …, "@closing" — and the domains stated without figures."""
    problem = compile_spec(spec)
    parts = {s.domain: s.part for s in problem.sections}
    segments = {"@opening": rng.choice(OPENINGS)}
    if spec.theme:
        segments["@theme"] = rng.choice(THEMES).format(theme=spec.theme)
    concise = []
    for d in spec.domains:
        if rng.random() < concise_rate:
            concise.append(d)
            segments[d] = CONCISE.format(name=cards[d].name)
        else:
            segments[d] = gadget_for(d).describe(spec.params[d], rng)
    for i, link in enumerate(spec.links):
        pa, pb = parts[link.a].port(link.port_a), parts[link.b].port(link.port_b)
        segments[f"@link{i}"] = describe_link(link, pa, pb)
    closing = rng.choice(CLOSINGS)
    if spec.theme and rng.random() < 0.5:
        closing = rng.choice(THEME_CLOSINGS).format(theme=spec.theme)
    segments["@closing"] = closing
    return segments, concise
