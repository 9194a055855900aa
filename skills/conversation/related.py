"""Which domains a user's description could be missing: ranked by word overlap with the cards.

Each domain card becomes a bag of content words (its name, need and need
parts, lay terms, frames and description); a description is scored against
every bag by the sum of the idf weights of the words they share, divided by
the square root of the bag's size (so a wordy card does not win by length).
Deterministic, no model, a few hundred microseconds for the whole catalog.
Trade-off: words, not meaning — "pieces" and "coins" do not meet — but the
need is voiced from the same card's parts, so the true domain ranks high and
its neighbours are the domains that talk the same way.

Example: similar_domains("I need some way to hand over an exact sum …", cards)[:3]
  -> ["coin_change", "subset_sum", "knapsack"] (say)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from retrolean.skills.cards import DomainCard

_WORD = re.compile(r"[a-z]{3,}")
STOPWORDS = frozenset((
    "the", "and", "for", "that", "with", "this", "from", "into", "onto", "over", "under",
    "some", "what", "when", "where", "which", "while", "who", "whom", "whose", "your",
    "you", "are", "was", "were", "been", "being", "have", "has", "had", "not", "but", "can",
    "could", "would", "should", "will", "may", "might", "must", "its", "their", "them",
    "they", "there", "then", "than", "each", "every", "any", "all", "one", "two", "three",
    "few", "many", "much", "more", "most", "less", "least", "only", "just", "also", "very",
    "such", "same", "other", "another", "way", "ways", "thing", "things", "need", "needs",
    "like", "about", "out", "off", "too", "own", "get", "gets", "got", "make", "makes",
    "made", "take", "takes", "how", "why",
))

_BAGS: dict[tuple[str, ...], tuple[dict[str, set[str]], dict[str, float]]] = {}


def content_words(text: str) -> set[str]:
    """Lower-cased words of three letters or more, stop words out, a trailing 's' cut."""
    return {w[:-1] if w.endswith("s") and len(w) > 4 else w
            for w in _WORD.findall(text.lower()) if w not in STOPWORDS}


def _card_text(card: DomainCard) -> Iterable[str]:
    yield from (card.name, card.need, card.description, *card.lay_terms, *card.need_goals,
                *card.need_conditions)
    for frame in card.frames:
        yield frame.name
        yield frame.text


def _bags(cards: dict[str, DomainCard]) -> tuple[dict[str, set[str]], dict[str, float]]:
    key = tuple(sorted(cards))
    if key not in _BAGS:
        bags = {d: content_words(" ".join(_card_text(c))) for d, c in cards.items()}
        df = Counter(w for bag in bags.values() for w in bag)
        idf = {w: math.log(len(bags) / n) for w, n in df.items()}
        _BAGS[key] = (bags, idf)
    return _BAGS[key]


def similar_domains(text: str, cards: dict[str, DomainCard],
                    among: Iterable[str] | None = None) -> list[str]:
    """Domain ids ranked by how much of their card the text's words touch (best first)."""
    bags, idf = _bags(cards)
    words = content_words(text)
    pool = sorted(among) if among is not None else sorted(cards)

    def score(d: str) -> float:
        bag = bags[d]
        return sum(idf[w] for w in words & bag) / math.sqrt(len(bag) or 1)

    return sorted(pool, key=lambda d: (-score(d), d))
