"""fill_in, template process: the assistant names the missing domain and how it meets the need.

The turn restates the need, names the domain with its description, says how it
ties into the rest of the problem (the links that touch it, in plain words),
and states that part precisely with the gadget's own sentence.

Example: fill_in(spec, "primes", cards, Random(0)) -> "What you are reaching for
  when you say you need some way to pick numbers that cannot be split … is prime
  numbers: …"
"""

from __future__ import annotations

import random

from retrolean.skills.cards import DomainCard
from retrolean.skills.problems.registry import gadget_for
from retrolean.skills.problems.spec import ProblemSpec, compile_spec, describe_link

VERSION = "template-1"

OPENERS = (
    "What you are reaching for when you say you need {need} is {name}.",
    "The missing piece is {name}: it is exactly {need}.",
    "I think the idea you are circling is {name} — that is the standard tool for {need}.",
)


def fill_in(spec: ProblemSpec, domain: str, cards: dict[str, DomainCard],
            rng: random.Random) -> str:
    """The assistant's explanation of the missing domain in this problem."""
    card = cards[domain]
    problem = compile_spec(spec)
    parts = {s.domain: s.part for s in problem.sections}
    lines = [rng.choice(OPENERS).format(need=card.need, name=card.name)]
    lines.append(f"In general: {card.description}")
    ties = [describe_link(link, parts[link.a].port(link.port_a), parts[link.b].port(link.port_b))
            for link in spec.links if domain in (link.a, link.b)]
    if ties:
        lines.append("Here it connects to the rest of your problem like this: " + " ".join(ties))
    lines.append("Stated precisely, that part is: "
                 + gadget_for(domain).describe(spec.params[domain], rng))
    return " ".join(lines)
