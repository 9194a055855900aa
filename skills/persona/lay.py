"""What a person can say about one domain of a problem, in lay words, with its own figures.

A `DomainView` joins a domain's catalog card (lay terms, frames, the need in
parts, figure phrases, names for its quantities) to the problem's parameters
for it, so a persona, the missing-domain rewrite, the fill-in and the
conversations all say "83 cents" or "the start times" from one place.
`{param}` in a catalog phrase is the parameter as the caption writes it,
`{#param}` the length of a list parameter; numbers pass through a caller's
`number` function, which is how a persona rounds, spells out or gets a figure
wrong. Trade-off: a user's catalog without the lay fields still works — the
need falls back to the card's `need`, quantities to the caption's nouns — but
reads flatter.

Example: view.figure("{amount} cents") -> "83 cents";
         view.figure("{#denoms} kinds of coin", number=number_word) -> "three kinds of coin"
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from retrolean.skills.cards import DomainCard, Frame, naming_patterns
from retrolean.skills.problems.codecs import IntCodec, WordCodec
from retrolean.skills.problems.gadget import Gadget, Params, Port
from retrolean.skills.problems.registry import gadget_for
from retrolean.skills.problems.spec import Link, ProblemSpec, compile_spec
from retrolean.skills.wording import figures

PLACEHOLDER = re.compile(r"\{(#?)(\w+)\}")
NEED_PREFIX = "some way to "

Number = Callable[[int], str]


def strip_article(noun: str) -> str:
    """'the vertex colours' -> 'vertex colours'."""
    return noun[4:] if noun.startswith("the ") else noun


@dataclass(frozen=True)
class DomainView:
    """One domain of one problem: its card, its gadget's parameters and ports."""

    card: DomainCard
    gadget: Gadget
    params: Params
    ports: list[Port]

    @classmethod
    def of(cls, card: DomainCard, params: Params) -> DomainView:
        """The view of a domain with the given parameters, outside any combined problem."""
        gadget = gadget_for(card.id)
        return cls(card, gadget, params, gadget.build(params).ports)

    @property
    def size(self) -> int:
        """How many unknowns the domain's main port has (a count people mention)."""
        return len(self.ports[0].terms)

    def kind(self, template: str) -> str:
        """'scalar' (only single numbers), 'list', 'word' or 'constant' (no placeholder)."""
        kinds = set()
        for count, name in PLACEHOLDER.findall(template):
            codec = self.gadget.fields.get(name)
            if count or isinstance(codec, IntCodec):
                kinds.add("scalar")
            elif isinstance(codec, WordCodec):
                kinds.add("word")
            else:
                kinds.add("list")
        for kind in ("list", "word", "scalar"):
            if kind in kinds:
                return kind
        return "constant"

    def figure(self, template: str, number: Number = str) -> str:
        """A catalog phrase with this problem's figures in it."""
        def one(m: re.Match[str]) -> str:
            count, name = m.groups()
            value = self.params[name]
            if count:
                return number(len(value))
            if isinstance(value, int) and not isinstance(value, bool):
                return number(value)
            codec = self.gadget.fields.get(name)
            return codec.render(value) if codec else str(value)

        return PLACEHOLDER.sub(one, template)

    def figure_templates(self, *kinds: str) -> list[str]:
        """The card's figure phrases of the given kinds (all kinds when none given)."""
        return [t for t in self.card.figures if not kinds or self.kind(t) in kinds]

    def plain_term(self, rng: random.Random) -> str:
        """An everyday name for the domain that states no figure (for an assistant to use)."""
        terms = [t for t in self.card.lay_terms if not figures(t)]
        return rng.choice(terms) if terms else self.card.name

    def quantity(self, port: str, rng: random.Random) -> str:
        """A lay name for one of the domain's ports (plural, no article)."""
        names = self.card.quantities.get(port)
        if names:
            return rng.choice(names)
        noun = next((p.noun for p in self.ports if p.name == port), port)
        return strip_article(noun)

    def need_core(self, rng: random.Random, number: Number = str, conditions: int = 1,
                  figures: bool = True) -> str:
        """What the domain is for, in fresh words: a goal and one or two conditions
        (with `figures=False`, only the wordings that state none of the problem's figures).

        Example: "hand over exactly 83 using no more than 32 pieces in all"
        """
        card = self.card
        goals = [g for g in card.need_goals if figures or _figure_free(g)]
        conds = [c for c in card.need_conditions if figures or _figure_free(c)]
        if not goals or not conds:
            return card.need.removeprefix(NEED_PREFIX)
        goal = rng.choice(goals)
        pool = [c for c in conds if not _overlaps(goal, c)] or conds
        chosen = rng.sample(pool, min(conditions, len(pool)))
        text = goal + " " + chosen[0]
        if len(chosen) > 1:
            text += rng.choice((", and ", " — ", ", ")) + chosen[1]
        return self.figure(text, number)

    def mentioned_in(self, text: str) -> str | None:
        """The first word in `text` that names this domain (keyword, name, lay term, frame)."""
        for pattern in naming_patterns(self.card):
            if m := pattern.search(text):
                return m.group(0)
        return None

    @cached_property
    def stated(self) -> list[tuple[str, frozenset[int]]]:
        """Each figure phrase with this problem's figures, and the numbers it states."""
        return [(text, frozenset(figures(text))) for text in map(self.figure, self.card.figures)]

    def numbers(self) -> set[int]:
        """Every number the domain's figure phrases state for this problem."""
        return {n for _, ns in self.stated for n in ns}


def _figure_free(text: str) -> bool:
    """Whether a catalog phrase states no figure: no placeholder, no digits."""
    return not PLACEHOLDER.search(text) and not figures(text)


def _overlaps(goal: str, condition: str) -> bool:
    """Whether a condition repeats four words in a row of its goal."""
    words = PLACEHOLDER.sub("#", condition).split()
    return any(" ".join(words[i:i + 4]) in goal for i in range(max(0, len(words) - 3)))


@dataclass(frozen=True)
class LinkView:
    """One link as a person sees it: the two domains' views, the ports, the relation."""

    index: int
    link: Link
    a: DomainView
    b: DomainView

    def touches(self, domain: str) -> bool:
        return domain in (self.link.a, self.link.b)


def views_of(spec: ProblemSpec,
             cards: dict[str, DomainCard]) -> tuple[dict[str, DomainView], list[LinkView]]:
    """Domain and link views of a spec."""
    problem = compile_spec(spec)
    parts = {s.domain: s.part for s in problem.sections}
    views = {d: DomainView(cards[d], gadget_for(d), spec.params[d], parts[d].ports)
             for d in spec.domains}
    links = [LinkView(i, link, views[link.a], views[link.b]) for i, link in enumerate(spec.links)]
    return views, links


def spec_key(spec: ProblemSpec) -> str:
    """The problem as canonical JSON: equal problems, equal keys."""
    return json.dumps(spec.model_dump(mode="json"), sort_keys=True)


def reserved_frame(spec: ProblemSpec, domain: str, card: DomainCard) -> Frame:
    """The frame of `domain` that no persona text of this problem uses: kept for a frame shift.

    Drawn from a generator seeded by the problem itself, so every persona process and the
    missing-domain rewrite of one record agree on it without talking to each other.
    """
    return random.Random(f"reserved-frame:{domain}:{spec_key(spec)}").choice(card.frames)
