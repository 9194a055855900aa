"""reformalize, template process: read a formal problem back out of English.

Every domain whose gadget sentence is found gets its exact figures; a domain
only *mentioned* (its keywords match — a name, a lay term, a frame) gets the
gadget's default figures, as a reader guessing the details would. Links are
read from link sentences; where a text names several domains but no link,
consecutive domains are tied through their first ports. A vague text thus
reformalizes to a nearby but different problem, which is what the similarity
checks measure.

Example: reformalize("we need prime numbers and a graph colouring", cards)
  -> ProblemSpec(domains=["primes", "graph_colouring"], params=defaults, links=[equal])
"""

from __future__ import annotations

import re

from retrolean.skills.cards import DomainCard
from retrolean.skills.problems.registry import gadget_domains, gadget_for
from retrolean.skills.problems.spec import Link, ProblemSpec, parse_links

VERSION = "template-1"


def mentions(text: str, card: DomainCard) -> int | None:
    """Position of the first keyword of the domain in the text, or None."""
    hits = [m.start() for k in card.keywords if (m := re.search(k, text, re.IGNORECASE))]
    return min(hits) if hits else None


def reformalize(text: str, cards: dict[str, DomainCard]) -> ProblemSpec | None:
    """The problem a literal reader would formalize from the text, or None if no domain is seen."""
    found: list[tuple[int, str, dict]] = []
    available = set(gadget_domains())
    for domain, card in cards.items():
        if domain not in available:
            continue
        gadget = gadget_for(domain)
        params = gadget.parse(text)
        position = mentions(text, card)
        if params is None and position is None:
            continue
        found.append((position if position is not None else 0,
                      domain, params if params is not None else gadget.defaults()))
    if not found:
        return None
    found.sort(key=lambda t: (t[0], t[1]))
    domains = [d for _, d, _ in found]
    params = {d: p for _, d, p in found}
    parts = {d: gadget_for(d).build(params[d]) for d in domains}
    links = parse_links(text, parts)
    if not links:
        links = [Link(a=a, port_a=parts[a].ports[0].name, b=b, port_b=parts[b].ports[0].name)
                 for a, b in zip(domains, domains[1:], strict=False)]
    return ProblemSpec(domains=domains, params=params, links=links)
