"""How a gadget parameter is written in English and read back.

A caption sentence is a template such as "a graph on {n} vertices with edges
{edges}". Each placeholder has a codec that renders the value and gives the
regular expression that reads it back, so one template serves both the
caption and the round-trip parser.

Example: PAIRS.render([[0, 1], [1, 2]]) -> "0-1, 1-2";
         PAIRS.parse("0-1, 1-2") -> [[0, 1], [1, 2]]
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Codec(ABC):
    """Render a parameter value to text and parse it back."""

    pattern: str

    @abstractmethod
    def render(self, value: Any) -> str:
        """The value as it appears in English."""

    @abstractmethod
    def parse(self, text: str) -> Any:
        """The value read back from text matched by `pattern`."""


@dataclass(frozen=True)
class IntCodec(Codec):
    pattern: str = r"-?\d+"

    def render(self, value: int) -> str:
        return str(value)

    def parse(self, text: str) -> int:
        return int(text)


_LIST_SPLIT = re.compile(r"\s*(?:,\s*and\s+|,\s*|\s+and\s+)\s*")


@dataclass(frozen=True)
class IntListCodec(Codec):
    """Integers written as an English list: "3, 5 and 7"."""

    pattern: str = r"-?\d+(?:(?:,\s*and\s+|,\s*|\s+and\s+)-?\d+)*"

    def render(self, value: list[int]) -> str:
        items = [str(v) for v in value]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    def parse(self, text: str) -> list[int]:
        return [int(x) for x in _LIST_SPLIT.split(text.strip()) if x]


@dataclass(frozen=True)
class PairListCodec(Codec):
    """Pairs of integers written "0-1, 1-2 and 2-0"."""

    pattern: str = r"\d+-\d+(?:(?:,\s*and\s+|,\s*|\s+and\s+)\d+-\d+)*"

    def render(self, value: list[list[int]]) -> str:
        items = [f"{a}-{b}" for a, b in value]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    def parse(self, text: str) -> list[list[int]]:
        out = []
        for item in _LIST_SPLIT.split(text.strip()):
            a, b = item.split("-")
            out.append([int(a), int(b)])
        return out


@dataclass(frozen=True)
class WordCodec(Codec):
    """One of a fixed set of words or phrases (names of reactions, chords, …)."""

    choices: tuple[str, ...] = ()
    pattern: str = ""

    def __post_init__(self) -> None:
        alternatives = sorted(self.choices, key=len, reverse=True)
        object.__setattr__(self, "pattern", "|".join(re.escape(c) for c in alternatives))

    def render(self, value: str) -> str:
        return value

    def parse(self, text: str) -> str:
        for c in self.choices:
            if c.lower() == text.lower():
                return c
        raise ValueError(text)


INT = IntCodec()
INTS = IntListCodec()
PAIRS = PairListCodec()


def words(*choices: str) -> WordCodec:
    """A codec for one of the given words."""
    return WordCodec(choices=tuple(choices))
