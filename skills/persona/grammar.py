"""A small generative grammar, and the voice that writes one text with it.

A grammar maps a symbol to its alternatives; an alternative is text with
references to other symbols (`<symbol>`, or `<symbol?>` for "half the time")
and slots the caller fills (`{lay}`, `{figure}`). Each persona keeps its
grammar as data in `grammars/<persona>.yaml`: its sentence plans, not its
sentences. A `Voice` writes one text: every draw comes from the text's own
generator, an alternative already used in this text is only reused once all
others are, and a sentence the text already holds is never said again.
Trade-off: no weights and no agreement rules; an alternative that needs a
particular article or number carries it in its own words.

Example: with rules {"hi": ["<a> there", "hello"], "a": ["hey", "oh"]},
  Voice(Grammar(rules), Random(0)).say("hi") -> "oh there" (or "hello", "hey there")
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources

import yaml

from retrolean.skills.wording import sentence_key, sentences

_REF = re.compile(r"<(\w+)(\?)?>")
_SLOT = re.compile(r"\{(\w+)\}")
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)])")
_QUOTED = re.compile(r"“([^”]+)”")
_DOUBLE_COMMA = re.compile(r",(\s*,)+")
_A_VOWEL = re.compile(r"\b([Aa]) ([aeioAEIO](?!ne\b|nce\b))")
TRIES = 12


Piece = str | tuple[str, bool]  # literal text, or (symbol, optional)


def _pieces(alternative: str) -> list[Piece]:
    """An alternative split into literal text and references, parsed once.

    Example: _pieces("hi <name?>!") -> ["hi ", ("name", True), "!"]
    """
    out: list[Piece] = []
    pos = 0
    for m in _REF.finditer(alternative):
        if m.start() > pos:
            out.append(alternative[pos:m.start()])
        out.append((m.group(1), bool(m.group(2))))
        pos = m.end()
    if pos < len(alternative):
        out.append(alternative[pos:])
    return out


class Grammar:
    """Symbols and their alternatives."""

    def __init__(self, rules: dict[str, list[str]]) -> None:
        for symbol, alternatives in rules.items():
            if not alternatives:
                raise ValueError(f"symbol {symbol!r} has no alternatives")
            for alt in alternatives:
                for ref in _REF.findall(alt):
                    if ref[0] not in rules:
                        raise ValueError(f"{symbol!r} refers to unknown symbol {ref[0]!r}")
        self.rules = rules
        self.pieces = {s: [_pieces(a) for a in alts] for s, alts in rules.items()}

    def __contains__(self, symbol: str) -> bool:
        return symbol in self.rules

    def literals(self) -> list[str]:
        """Every alternative with its references and slots taken out (what it always says)."""
        return [_SLOT.sub(" ", _REF.sub(" ", alt)) for alts in self.rules.values() for alt in alts]


@cache
def load_grammar(package: str, filename: str) -> Grammar:
    """A grammar shipped as a YAML data file of a package.

    Example: load_grammar("retrolean.skills.persona", "grammars/lazy_busy.yaml")
    """
    path = resources.files(package).joinpath(filename)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Grammar({str(k): [str(x) for x in v] for k, v in data.items()})


def tidy(text: str) -> str:
    """Collapse doubled spaces, doubled commas and spaces before punctuation left by empty
    expansions, and write "an" before a vowel. Example: tidy("a  eigenmode ,, ok") ->
    "an eigenmode, ok"."""
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    if ",," in text or ", ," in text or ",." in text or ",;" in text:
        text = _DOUBLE_COMMA.sub(",", text).replace(",.", ".").replace(",;", ";")
    return _A_VOWEL.sub(lambda m: m.group(1) + "n " + m.group(2), text).strip()


def capitalise(text: str) -> str:
    """First letter upper-cased, the rest untouched. Example: capitalise("ok, 5") -> "Ok, 5"."""
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1:]
    return text


class Voice:
    """One text being written: its generator, its grammar, and what it already said."""

    def __init__(self, grammar: Grammar, rng: random.Random, said: Iterable[str] = ()) -> None:
        self.grammar = grammar
        self.rng = rng
        self.used: dict[str, set[int]] = {}
        self.said: set[str] = set()
        self.named: set[str] = set()  # names this text gave to things, one name per thing
        for text in said:
            self.remember(text)

    def remember(self, text: str) -> None:
        """Count every sentence of `text` as said, and every “quoted” name as given."""
        self.said |= {sentence_key(s) for s in sentences(text)}
        self.named |= set(_QUOTED.findall(text))

    def _index(self, symbol: str) -> int:
        """Which alternative of `symbol` to use, preferring those this text has not used yet."""
        n = len(self.grammar.rules[symbol])
        used = self.used.setdefault(symbol, set())
        if not used or len(used) >= n:
            i = self.rng.randrange(n)
        else:
            i = self.rng.choice([i for i in range(n) if i not in used])
        used.add(i)
        return i

    def pick(self, symbol: str) -> str:
        """One alternative of `symbol` as written, preferring those this text has not used yet."""
        return self.grammar.rules[symbol][self._index(symbol)]

    def expand(self, symbol: str, **slots: str) -> str:
        """`symbol` expanded all the way down, slots filled, spaces tidied."""
        out: list[str] = []
        self._expand(symbol, out, 0)
        text = "".join(out)
        if "{" in text:
            text = _SLOT.sub(lambda m: slots[m.group(1)], text)
        return tidy(text)

    def _expand(self, symbol: str, out: list[str], depth: int) -> None:
        if depth > 12:
            raise ValueError("grammar recursion too deep")
        for piece in self.grammar.pieces[symbol][self._index(symbol)]:
            if isinstance(piece, str):
                out.append(piece)
            elif not piece[1] or self.rng.random() >= 0.5:
                self._expand(piece[0], out, depth + 1)

    def fresh(self, make: Callable[[], str]) -> str:
        """Text from `make` whose sentences this text has not said yet (a few tries), remembered.

        Returns "" when every try repeats a sentence: the caller leaves that part out.
        """
        for _ in range(TRIES):
            text = make()
            keys = [sentence_key(s) for s in sentences(text)]
            if text and not any(k in self.said for k in keys) and len(set(keys)) == len(keys):
                self.remember(text)
                return text
        return ""

    def say(self, symbol: str, **slots: str) -> str:
        """`symbol` expanded into something this text has not said yet ("" if impossible)."""
        return self.fresh(lambda: self.expand(symbol, **slots))

    def chance(self, p: float) -> bool:
        """True with probability p, drawn from this text's generator."""
        return self.rng.random() < p
