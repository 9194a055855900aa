"""reformalize, template process: read a formal problem back out of English, two ways.

- `read_exactly` — the round trip's reader: literal and strict, over the
  original's signature. Every sentence of the text must be read: a part's
  sentence (a gadget's, with all its figures), a link's sentence (links.py),
  or the caption's framing (opening, closing, a catalog theme). A part named
  without figures, a figure that makes no valid part, a link that reads two
  ways, two different statements of one part, any sentence it cannot read, or
  unknowns other than the signature's: the text cannot be formalized exactly,
  and the reader says why (`Unread`) instead of guessing — so the round trip
  fails closed. Links are exactly those stated.
- `read_loosely` — the persona path's reader: personas are lossy by design.
  A domain whose sentence is found gets its figures; a domain only *mentioned*
  (a keyword, its name, a lay term or a frame name) gets the gadget's default figures,
  as a reader guessing the details would; links are those whose sentences it
  finds (none is invented: a guessed link would make most guesses
  inconsistent). A vague text thus reformalizes to a nearby but different
  problem.

Example: read_exactly(caption, Signature.of_names([...]), cards, themes) -> ProblemSpec(...)
         read_exactly("There is also a Nim part, details left open.", …)
           -> Unread("cannot read: 'There is also a Nim part, details left open.'")
         read_loosely("we need prime numbers and a graph colouring", cards)
           -> ProblemSpec(domains=["primes", "graph_colouring"], params=defaults, links=[])
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from retrolean.memory.signature import Signature
from retrolean.skills.caption.template import CLOSINGS, OPENINGS, THEME_CLOSINGS, THEMES
from retrolean.skills.cards import DomainCard, naming_patterns
from retrolean.skills.problems.registry import gadget_domains, gadget_for
from retrolean.skills.problems.spec import (
    Link,
    ProblemSpec,
    compile_spec,
    link_statements,
    parse_links,
)

VERSION = "template-2"


@dataclass(frozen=True)
class Unread:
    """Why a text could not be formalized exactly."""

    reason: str


def mentions(text: str, card: DomainCard) -> int | None:
    """Position of the first word in the text that names the domain (a keyword, its name, a
    lay term or a frame name), or None."""
    hits = [m.start() for p in naming_patterns(card) if (m := p.search(text))]
    return min(hits) if hits else None


def read_exactly(text: str, signature: Signature | None, cards: dict[str, DomainCard],
                 themes: Iterable[str] = ()) -> ProblemSpec | Unread:
    """The problem the text states, read literally, or why it cannot be (module docstring)."""
    spans: list[tuple[int, int]] = []
    found: dict[str, tuple[int, dict]] = {}
    available = set(gadget_domains())
    for domain, card in cards.items():
        if domain not in available:
            continue
        for start, end, params in gadget_for(domain).statements(text):
            if params is None:
                return Unread(f"the figures of the {card.name} part make no valid problem: "
                              f"{_snippet(text[start:end])!r}")
            if domain in found and found[domain][1] != params:
                return Unread(f"the {card.name} part is stated twice, with different figures")
            found.setdefault(domain, (start, params))
            spans.append((start, end))
    if not found:
        return Unread("no part of the problem could be read")
    domains = sorted(found, key=lambda d: (found[d][0], d))
    params = {d: found[d][1] for d in domains}
    parts = {d: gadget_for(d).build(params[d]) for d in domains}
    links: dict[tuple[int, int], list[Link]] = {}
    for start, end, link in link_statements(text, parts):
        links.setdefault((start, end), []).append(link)
    for (start, end), read in links.items():
        if len({r.model_dump_json() for r in read}) > 1:
            return Unread(f"a link reads more than one way: {_snippet(text[start:end])!r}")
        spans.append((start, end))
    spans += _framing(text, themes)
    problem = _uncovered(text, spans)
    if problem:
        return Unread(problem)
    spec = ProblemSpec(domains=domains, params=params,
                       links=[read[0] for _span, read in sorted(links.items())])
    if signature is not None:
        stated = Signature.of_names([v.name for v in compile_spec(spec).variables])
        difference = signature.difference(stated)
        if difference:
            return Unread(f"the text does not state a problem over the signature's unknowns: "
                          f"it {difference}")
    return spec


def statement_spans(text: str, spec: ProblemSpec, themes: Iterable[str] = ()
                    ) -> list[tuple[int, int, str]]:
    """Where each sentence of a caption of `spec` stands and what it states: (start, end,
    key), key a domain id, "@link<i>" or "@framing"; in order. For evaluations that edit one
    statement and must know which (the exact reader itself is not told)."""
    out: list[tuple[int, int, str]] = []
    for domain in spec.domains:
        out += [(s, e, domain) for s, e, _p in gadget_for(domain).statements(text)]
    parts = {d: gadget_for(d).build(spec.params[d]) for d in spec.domains}
    wanted = [link.model_dump_json() for link in spec.links]
    for s, e, link in link_statements(text, parts):
        if link.model_dump_json() in wanted:
            out.append((s, e, f"@link{wanted.index(link.model_dump_json())}"))
    out += [(s, e, "@framing") for s, e in _framing(text, themes)]
    return sorted(set(out))


def _framing(text: str, themes: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of the caption's framing sentences: openings, closings, a known theme."""
    sentences = [*OPENINGS, *CLOSINGS, *(f.format(theme=t) for t in themes
                                         for f in (*THEMES, *THEME_CLOSINGS))]
    out = []
    for sentence in sentences:
        pattern = r"\s+".join(re.escape(w) for w in sentence.split())
        out += [(m.start(), m.end()) for m in re.finditer(pattern, text)]
    return out


def _uncovered(text: str, spans: list[tuple[int, int]]) -> str:
    """Why the spans do not account for the text ('' when they do, whitespace aside)."""
    at = 0
    for start, end in sorted(spans):
        if start < at:
            return f"two readings overlap at {_snippet(text[start:end])!r}"
        gap = text[at:start]
        if gap.strip():
            return f"cannot read: {_snippet(gap.strip())!r}"
        at = end
    tail = text[at:]
    return f"cannot read: {_snippet(tail.strip())!r}" if tail.strip() else ""


def _snippet(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_loosely(text: str, cards: dict[str, DomainCard]) -> ProblemSpec | None:
    """The problem a guessing reader would formalize from the text, or None if no domain is
    seen (see the module docstring)."""
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
    return ProblemSpec(domains=domains, params=params, links=parse_links(text, parts))
