"""A gadget: one domain's part of a combined formal problem.

Each catalog domain that the template backend can use has a gadget. A gadget
samples its parameters, builds its integer unknowns and constraints, and
exposes *ports* — lists of unknowns another domain can be wired to (colours
that are also time slots, weights that are also primes). It also owns the
English sentences that state its part, so the caption and the round-trip
parser share one source of truth.

Concession: parameters are plain JSON values (ints, lists, words) so a spec
is a small JSON document; everything richer is derived in `build`. The few
construction helpers here (`Part.from_ports`, `Gadget.unknowns`,
`distinct_pairs_below`) cover only what many gadgets do identically; anything
gadget-specific stays spelled out in its `build`.
"""

from __future__ import annotations

import random
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from retrolean.skills.problems.codecs import Codec
from retrolean.skills.problems.terms import Term

Params = dict[str, Any]


@dataclass(frozen=True)
class IntVar:
    """A named integer unknown with the bounds the gadget intends for it."""

    name: str
    lo: int
    hi: int


@dataclass(frozen=True)
class Port:
    """Unknowns another gadget may be tied to, with how English names them."""

    name: str
    noun: str  # plural noun phrase: "the vertex colours"
    terms: tuple[str, ...]
    lo: int
    hi: int
    # one unknown as a person names it, numbered as the part's sentence numbers things:
    # "{k}" counts from `first`; with `columns`, "{r}" and "{c}" are its row and column;
    # `items` names each unknown outright where no number does (teams 0 and 2's round)
    item: str = ""
    first: int = 0
    columns: int = 0
    items: tuple[str, ...] = ()


@dataclass
class Part:
    """What a gadget contributes to the combined problem."""

    variables: list[IntVar]
    constraints: list[Term]
    ports: list[Port]
    comments: list[str] = field(default_factory=list)

    @classmethod
    def from_ports(
        cls, constraints: list[Term], *ports: Port, comments: Sequence[str] = ()
    ) -> Part:
        """A part whose unknowns are exactly its ports' terms, each with its port's bounds.

        Example: Part.from_ports([], Port("xs", "the xs", ("a_x0", "a_x1"), 0, 5)).variables
                 -> [IntVar("a_x0", 0, 5), IntVar("a_x1", 0, 5)]
        """
        return cls(
            variables=[IntVar(x, p.lo, p.hi) for p in ports for x in p.terms],
            constraints=constraints,
            ports=list(ports),
            comments=list(comments),
        )

    def port(self, name: str) -> Port:
        for p in self.ports:
            if p.name == name:
                return p
        raise KeyError(name)


class Gadget(ABC):
    """One domain's generator of formal parts and their English sentences.

    Subclasses set `domain` (the catalog id), `sentences` (templates whose
    `{field}` placeholders are read by `fields` codecs) and implement
    `sample` and `build`. Variable names must start with `prefix` and contain
    a word that the domain's SMT-LIB/Lean touchstones match.
    """

    domain: ClassVar[str]
    prefix: ClassVar[str]
    sentences: ClassVar[tuple[str, ...]]
    fields: ClassVar[dict[str, Codec]]
    default_seed: ClassVar[int] = 0  # the seed of `defaults`: one whose part is consistent

    @abstractmethod
    def sample(self, rng: random.Random) -> Params:
        """Seeded random parameters for one instance."""

    @abstractmethod
    def build(self, params: Params) -> Part:
        """Unknowns, constraints and ports for these parameters."""

    def unknowns(self, stem: str, count: int) -> list[str]:
        """Names of a row of unknowns: the prefix, the stem, then 0 to count - 1.

        Example: with prefix "queen_", unknowns("r", 3) -> ["queen_r0", "queen_r1", "queen_r2"]
        """
        return [f"{self.prefix}{stem}{i}" for i in range(count)]

    def defaults(self) -> Params:
        """Parameters assumed when a text names the domain but gives no figures (a
        consistent instance: tests/test_reformalize_exact.py checks every gadget's)."""
        return self.sample(random.Random(self.default_seed))

    def describe(self, params: Params, rng: random.Random) -> str:
        """One English sentence stating this part with all its figures."""
        template = rng.choice(self.sentences)
        values = {k: codec.render(params[k]) for k, codec in self.fields.items() if k in params}
        return template.format(**values)

    def parse(self, text: str) -> Params | None:
        """Parameters read back from any of this gadget's sentences in text, else None."""
        for regex in _sentence_regexes(type(self)):
            m = regex.search(text)
            if m is None:
                continue
            try:
                params = {k: self.fields[k].parse(v) for k, v in m.groupdict().items()}
            except (ValueError, KeyError):
                continue
            if self.valid(params):
                return params
        return None

    def statements(self, text: str) -> list[tuple[int, int, Params | None]]:
        """Every place in text where one of this gadget's sentences stands: (start, end,
        parameters), the parameters None where the figures read do not make a valid part.

        Example: colouring.statements("… A graph has 5 vertices, … different colours. …")
                 -> [(2, 180, {"n": 5, "edges": [[0, 1], …], "c": 3})]
        """
        out: list[tuple[int, int, Params | None]] = []
        for regex in _sentence_regexes(type(self)):
            for m in regex.finditer(text):
                try:
                    params: Params | None = {k: self.fields[k].parse(v)
                                             for k, v in m.groupdict().items()}
                except (ValueError, KeyError):
                    params = None
                if params is not None and not self.valid(params):
                    params = None
                out.append((m.start(), m.end(), params))
        return sorted(out, key=lambda t: t[0])

    def valid(self, params: Params) -> bool:
        """Whether parsed parameters can be built (guards against garbled text)."""
        try:
            self.build(params)
        except (ValueError, KeyError, IndexError, TypeError, ZeroDivisionError):
            return False
        return True


def distinct_pairs_below(pairs: list[list[int]], n: int) -> bool:
    """Whether every pair names two different whole numbers from 0 to n - 1 (edges, arcs).

    Example: distinct_pairs_below([[0, 2], [2, 1]], 3) -> True; ([[1, 1]], 3) -> False
    """
    return all(0 <= a < n and 0 <= b < n and a != b for a, b in pairs)


_REGEX_CACHE: dict[type, list[re.Pattern[str]]] = {}


def _sentence_regexes(cls: type[Gadget]) -> list[re.Pattern[str]]:
    if cls not in _REGEX_CACHE:
        _REGEX_CACHE[cls] = [_template_regex(t, cls.fields) for t in cls.sentences]
    return _REGEX_CACHE[cls]


def _template_regex(template: str, fields: dict[str, Codec]) -> re.Pattern[str]:
    """Turn "on {n} vertices" into a regex with a named group per placeholder."""
    out, pos, seen = [], 0, set()
    for m in re.finditer(r"\{(\w+)\}", template):
        out.append(_loose(template[pos : m.start()]))
        name = m.group(1)
        if name in seen:
            out.append(f"(?P={name})")
        else:
            out.append(f"(?P<{name}>{fields[name].pattern})")
            seen.add(name)
        pos = m.end()
    out.append(_loose(template[pos:]))
    return re.compile("".join(out), re.IGNORECASE)


def _loose(literal: str) -> str:
    """Escape literal text but let any run of whitespace match any other."""
    parts = [re.escape(p) for p in re.split(r"\s+", literal)]
    return r"\s+".join(parts)


REGISTERED: dict[str, Gadget] = {}  # domain id -> gadget; filled as gadget modules load


def register(cls: type[Gadget]) -> type[Gadget]:
    """Class decorator: make a gadget available under its domain id."""
    if cls.domain in REGISTERED:
        raise ValueError(f"two gadgets for domain {cls.domain!r}")
    REGISTERED[cls.domain] = cls()
    return cls
