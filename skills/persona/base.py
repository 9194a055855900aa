"""The shared shape of a persona's generative process.

A persona process writes a description segment by segment — an opening, one
segment per domain, one per link, a closing — and keeps the segments under
their own keys so a later step can drop one domain and voice its *need*
instead, or re-describe the rest in another frame, in the same voice. What
each persona says, what it leaves out and which slips it makes is its own
code (one module per persona); only the assembly is shared here.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from dataclasses import dataclass

from retrolean.skills.cards import DomainCard, Frame, PersonaCard
from retrolean.skills.problems.gadget import Port
from retrolean.skills.problems.spec import Link, ProblemSpec, compile_spec

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve")


def number_word(n: int) -> str:
    """Small numbers as words, larger ones as digits. Example: number_word(3) -> "three"."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


@dataclass(frozen=True)
class DomainView:
    """What a persona can see of one domain in the problem."""

    card: DomainCard
    ports: list[Port]

    @property
    def size(self) -> int:
        """How many unknowns the domain's main port has (a count people mention)."""
        return len(self.ports[0].terms)


@dataclass(frozen=True)
class LinkView:
    """What a persona can see of one link: the two nouns and the relation."""

    link: Link
    noun_a: str
    noun_b: str


@dataclass
class Draft:
    """A persona description: segments by key, in order, plus the slips made."""

    segments: dict[str, str]
    errors: list[str]

    @property
    def text(self) -> str:
        return join_segments(list(self.segments.values()))


def join_segments(segments: list[str]) -> str:
    """Segments joined with single spaces, empties skipped."""
    return " ".join(s.strip() for s in segments if s and s.strip())


class PersonaProcess(ABC):
    """One persona's way of describing a problem; subclasses are the personas."""

    id: str

    def __init__(self, card: PersonaCard) -> None:
        self.card = card
        self.noise = card.temperature  # higher temperature, more slips and omissions

    @abstractmethod
    def opening(self, rng: random.Random) -> str:
        """How this persona starts talking."""

    @abstractmethod
    def domain_segment(self, view: DomainView, rng: random.Random, errors: list[str]) -> str:
        """This persona's words for one domain (appending any slip to errors)."""

    @abstractmethod
    def frame_segment(self, view: DomainView, frame: Frame, rng: random.Random) -> str:
        """This persona's words for a domain seen through another frame."""

    @abstractmethod
    def need_segment(self, need: str, rng: random.Random) -> str:
        """This persona voicing a need without knowing the domain that meets it."""

    @abstractmethod
    def link_segment(self, view: LinkView, rng: random.Random) -> str:
        """This persona's words for two quantities being tied together ('' to omit)."""

    @abstractmethod
    def closing(self, rng: random.Random) -> str:
        """How this persona ends."""

    def describe(self, spec: ProblemSpec, cards: dict[str, DomainCard],
                 rng: random.Random) -> Draft:
        """A full lossy description of the problem in this persona's voice."""
        views, links = views_of(spec, cards)
        errors: list[str] = []
        segments = {"@opening": self.opening(rng)}
        for d in spec.domains:
            segments[d] = self.domain_segment(views[d], rng, errors)
        for i, lv in enumerate(links):
            segments[f"@link{i}"] = self.link_segment(lv, rng)
        segments["@closing"] = self.closing(rng)
        return Draft(segments, errors)


def views_of(spec: ProblemSpec,
             cards: dict[str, DomainCard]) -> tuple[dict[str, DomainView], list[LinkView]]:
    """Domain and link views of a spec."""
    problem = compile_spec(spec)
    parts = {s.domain: s.part for s in problem.sections}
    views = {d: DomainView(cards[d], parts[d].ports) for d in spec.domains}
    links = [
        LinkView(link, parts[link.a].port(link.port_a).noun, parts[link.b].port(link.port_b).noun)
        for link in spec.links
    ]
    return views, links


def strip_article(noun: str) -> str:
    """'the vertex colours' -> 'vertex colours'."""
    return noun[4:] if noun.startswith("the ") else noun
