"""Corruptions of a caption or a missing-domain text, and whether each changes the problem.

A caption is handled as its sentences (`Sentence`: the text, and what it
states — a domain's part, a link, or framing — where that is known). Each
corruption edits the sentences as a careless writer or a bad model would:

- `alter_number`: one figure changed by ±1 or ±2;
- `swap_figures`: two different figures of one sentence exchanged;
- `flip_relation`: a relation word turned into its opposite (at most ↔ at
  least, more ↔ less, equal ↔ differ, increasing ↔ decreasing, …);
- `drop_sentence`: one sentence removed;
- `drop_domain`: the sentence stating one domain's part removed;
- `reinsert_statement` / `reinsert_persona` (missing-domain texts): the dropped
  domain's caption sentence, or the persona's own words for it, put back.

Ground truth (`problem_changed`) never asks the reader under test. On the
template backend each edited sentence is read again *alone, knowing what it
stated* (the gadget or link it came from), the edited problem is built from
those readings, and Z3 compares it with the original over the signature: a
sentence that no longer reads as a valid statement of its part, a dropped
part, or a refuted equivalence is a change; a proven equivalence (e.g. an
edit in the framing) is not. Where no structure is known (a model's caption)
an edit inside a sentence counts as a change by construction: every edit
above alters a figure, a relation or a whole sentence.

Example: alter_number([Sentence("Choose 3 primes.", "primes")], Random(0))
  -> [Sentence("Choose 4 primes.", "primes")]
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

_NUMBER = re.compile(r"(?<!\d)\d+(?!\d)")
FLIPS = {
    "at most": "at least", "at least": "at most", "no larger": "no smaller",
    "no smaller": "no larger", "none larger": "none smaller", "none smaller": "none larger",
    "more than": "less than", "less than": "more than", "must equal": "must differ from",
    "different": "equal", "differ": "agree", "increasing": "decreasing",
    "decreasing": "increasing", "smaller": "larger", "larger": "smaller", "before": "after",
    "after": "before", "even": "odd", "odd": "even", "never": "always", "every": "no",
    "minimum": "maximum", "maximum": "minimum", "below": "above", "above": "below",
}
_FLIP = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(FLIPS, key=len,
                                                                   reverse=True)) + r")\b",
                   re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a text, and what it states where known: a domain id, "@link<i>",
    "@framing" (opening, theme, closing), or None."""

    text: str
    states: str | None = None


Corrupt = Callable[[list[Sentence], random.Random], list[Sentence] | None]


def joined(sentences: list[Sentence]) -> str:
    """The sentences as one text, single spaces between them."""
    return " ".join(s.text for s in sentences if s.text)


def sentences_of(text: str) -> list[Sentence]:
    """A text cut after each full stop that ends a sentence (no structure known)."""
    return [Sentence(t) for t in re.split(r"(?<=[.!?])\s+", text.strip()) if t]


def _pick(rng: random.Random, candidates: list[int]) -> int | None:
    return rng.choice(candidates) if candidates else None


def alter_number(sentences: list[Sentence], rng: random.Random) -> list[Sentence] | None:
    """One figure changed by ±1 or ±2 (never below 0)."""
    spots = [(i, m) for i, s in enumerate(sentences) for m in _NUMBER.finditer(s.text)]
    if not spots:
        return None
    i, m = rng.choice(spots)
    value = int(m.group(0))
    new = max(0, value + rng.choice([-2, -1, 1, 2]))
    if new == value:
        new = value + 1
    text = sentences[i].text
    out = list(sentences)
    out[i] = replace(sentences[i], text=text[:m.start()] + str(new) + text[m.end():])
    return out


def swap_figures(sentences: list[Sentence], rng: random.Random) -> list[Sentence] | None:
    """Two different figures of one sentence exchanged."""
    options = [i for i, s in enumerate(sentences)
               if len({m.group(0) for m in _NUMBER.finditer(s.text)}) >= 2]
    i = _pick(rng, options)
    if i is None:
        return None
    spots = list(_NUMBER.finditer(sentences[i].text))
    while True:
        a, b = sorted(rng.sample(range(len(spots)), 2))
        if spots[a].group(0) != spots[b].group(0):
            break
    text, ma, mb = sentences[i].text, spots[a], spots[b]
    text = (text[:ma.start()] + mb.group(0) + text[ma.end():mb.start()] + ma.group(0)
            + text[mb.end():])
    out = list(sentences)
    out[i] = replace(sentences[i], text=text)
    return out


def flip_relation(sentences: list[Sentence], rng: random.Random) -> list[Sentence] | None:
    """One relation word turned into its opposite."""
    spots = [(i, m) for i, s in enumerate(sentences) for m in _FLIP.finditer(s.text)]
    if not spots:
        return None
    i, m = rng.choice(spots)
    word = m.group(0)
    flipped = FLIPS[word.lower()]
    flipped = flipped[0].upper() + flipped[1:] if word[0].isupper() else flipped
    text = sentences[i].text
    out = list(sentences)
    out[i] = replace(sentences[i], text=text[:m.start()] + flipped + text[m.end():])
    return out


def drop_sentence(sentences: list[Sentence], rng: random.Random) -> list[Sentence] | None:
    """One sentence removed."""
    if len(sentences) < 2:
        return None
    i = rng.randrange(len(sentences))
    return sentences[:i] + sentences[i + 1:]


def drop_domain(sentences: list[Sentence], rng: random.Random) -> list[Sentence] | None:
    """The sentence stating one domain's part removed (where the structure is known)."""
    i = _pick(rng, [i for i, s in enumerate(sentences)
                    if s.states and not s.states.startswith("@")])
    return None if i is None else sentences[:i] + sentences[i + 1:]


CAPTION_CORRUPTIONS: dict[str, Corrupt] = {
    "alter_number": alter_number, "swap_figures": swap_figures,
    "flip_relation": flip_relation, "drop_sentence": drop_sentence, "drop_domain": drop_domain,
}


def reinserted(text: str, content: str, rng: random.Random) -> str:
    """`content` put back into `text` at a sentence boundary."""
    parts = sentences_of(text)
    at = rng.randint(0, len(parts))
    return joined(parts[:at] + [Sentence(content.strip())] + parts[at:])
