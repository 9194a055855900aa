"""Which catalog domains a run samples from, read from the words people type.

`DomainSelection` says it: only these domains, every problem including one of
these, never these — applied to the domains the run's backend can build.
`DomainWords` resolves a phrase to catalog domains, tier by tier: the id or
name exactly, then a word of the id or name (`music`, `knitting`, `coins`),
then a lay term (`the chemistry bit`), then a frame (`twelve-hour clock`),
then the catalog's keywords. `read_domain_list` splits "music and knitting"
or "a,b,c" into phrases and resolves each; `domains_in_goal` finds the cue
words of a goal ("only …", "mostly about …", "without …") and the domains
after them.

Trade-off: rules over the catalog's own vocabulary, not a model. A phrase that
names no domain, or several at its best tier ("squares": magic, Latin or
perfect), is reported with the candidates, never guessed.

Example: read_domain_list("music and knitting", words).ids
  -> ["music_intervals", "knitting_patterns"]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from retrolean.skills.cards import DomainCard

Mode = Literal["only", "include", "exclude"]

# words that carry no domain meaning inside a phrase ("the knitting bit", "music domains")
_FILLER = {"the", "a", "an", "some", "bit", "bits", "thing", "things", "stuff", "domain",
           "domains", "problem", "problems", "puzzle", "puzzles", "of", "and", "or", "about",
           "kind", "sort", "those", "that", "this", "like", "ish", "one", "ones", "both",
           "either", "from", "school", "topic", "topics", "area", "areas"}
_SEPARATORS = re.compile(r"\s*(?:,|;|/|&|\+|\band\b|\bor\b|\bplus\b|\bas well as\b)\s*")


def _stem(word: str) -> str:
    """A plural made singular. Example: _stem("probabilities") -> "probability"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def phrase_words(text: str) -> list[str]:
    """The meaningful words of a phrase, lower-cased and singular.

    Example: phrase_words("the Sudoku-ish grid thing") -> ["sudoku", "grid"]
    """
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", "").replace("’", ""))
    return [_stem(w) for w in words if w not in _FILLER]


def _same_word(word: str, term: str) -> bool:
    """Equal, or one a prefix of the other when both have four letters or more (music/musical)."""
    if word == term:
        return True
    return min(len(word), len(term)) >= 4 and (term.startswith(word) or word.startswith(term))


@dataclass(frozen=True)
class _Vocabulary:
    """One domain's words, by tier."""

    exact: frozenset[tuple[str, ...]]  # id, name, lay terms and frames as word tuples
    id_name: frozenset[str]
    lay_terms: tuple[frozenset[str], ...]
    frames: tuple[frozenset[str], ...]
    keywords: tuple[re.Pattern[str], ...]


def _vocabulary(card: DomainCard) -> _Vocabulary:
    phrases = [card.id.replace("_", " "), card.name, *card.lay_terms,
               *(f.name for f in card.frames)]
    return _Vocabulary(
        exact=frozenset(tuple(phrase_words(p)) for p in phrases),
        id_name=frozenset(phrase_words(card.id.replace("_", " ")) + phrase_words(card.name)),
        lay_terms=tuple(frozenset(phrase_words(t)) for t in card.lay_terms),
        frames=tuple(frozenset(phrase_words(f.name)) for f in card.frames),
        keywords=tuple(re.compile(k, re.IGNORECASE) for k in card.keywords))


def _covers(words: list[str], term: Iterable[str]) -> bool:
    term = list(term)
    return bool(words) and all(any(_same_word(w, t) for t in term) for w in words)


def _names_most_of(words: list[str], term: frozenset[str]) -> bool:
    """The words are all in the term and make up at least half of it ("sudoku" of "the
    sudoku-ish grid thing"; not "money" of "SEND plus MORE equals MONEY")."""
    return _covers(words, term) and 2 * len(words) >= len(term)


class DomainWords:
    """Resolves phrases to the ids of catalog domains (see the module docstring)."""

    def __init__(self, cards: dict[str, DomainCard], usable: Iterable[str] | None = None) -> None:
        self.cards = cards
        self.usable = list(usable) if usable is not None else list(cards)
        self._vocab = {did: _vocabulary(card) for did, card in cards.items()}

    def resolve(self, phrase: str, tiers: int = 5) -> list[str]:
        """The domains the phrase names at its best tier: one id, several (ambiguous) or none.

        `tiers` limits how far down it looks: 2 stops after ids and names (for prose, where
        a lay word is more likely plain English), 5 goes on to lay terms, frames, keywords.
        """
        text = phrase.strip().lower()
        if text in self.cards:
            return [text]
        words = phrase_words(text)
        if not words:
            return []
        ladder = (
            lambda v: tuple(words) in v.exact,
            lambda v: _covers(words, v.id_name),
            lambda v: any(_names_most_of(words, t) for t in v.lay_terms),
            lambda v: any(_names_most_of(words, f) for f in v.frames),
            lambda v: all(any(k.search(w) for k in v.keywords) for w in words),
        )
        for matches in ladder[:tiers]:
            found = [did for did, v in self._vocab.items() if matches(v)]
            if found:
                return found
        return []

    def label(self, did: str) -> str:
        """'musical intervals (music_intervals)'."""
        card = self.cards.get(did)
        return f"{card.name} ({did})" if card else did


@dataclass
class DomainList:
    """A list of domain phrases read against the catalog."""

    ids: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # phrases that name no domain
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # phrase -> candidates
    unusable: list[str] = field(default_factory=list)  # domains this backend cannot build

    @property
    def ok(self) -> bool:
        """Every phrase named exactly one usable domain."""
        return bool(self.ids) and not (self.unknown or self.ambiguous or self.unusable)

    def problems(self, words: DomainWords) -> list[str]:
        """Why the list was not taken, one line per phrase."""
        out = [f"{p!r} names no domain in the catalog (`retrolean domains` lists them)"
               for p in self.unknown]
        out += [f"{p!r} could be " + " or ".join(words.label(c) for c in cands[:4])
                + (" …" if len(cands) > 4 else "") + "; name one"
                for p, cands in self.ambiguous.items()]
        out += [f"{words.label(d)} has no template process; it needs a model backend"
                for d in self.unusable]
        return out


def read_domain_list(text: str, words: DomainWords, tiers: int = 5) -> DomainList:
    """The domains a list names: "music and knitting", "a,b,c", "debits and credits" (each
    phrase resolved down to `tiers`, see `DomainWords.resolve`)."""
    text = re.sub(r"^(?:both|either|the)\s+", "", text.strip().lower())
    text = re.sub(r"\s+(?:domains?|problems?|only|too|as well)$", "", text).strip()
    # an id, name or lay term may itself hold "and" ("debits and credits"): whole, it is one
    whole = words.resolve(text, tiers=1) if text else []
    phrases = [text] if len(whole) == 1 else [p for p in _SEPARATORS.split(text) if p.strip()]
    out = DomainList()
    for phrase in phrases:
        found = words.resolve(phrase, tiers)
        if not found:
            out.unknown.append(phrase)
        elif len(found) > 1:
            out.ambiguous[phrase] = found
        elif found[0] not in words.usable:
            out.unusable.append(found[0])
        elif found[0] not in out.ids:
            out.ids.append(found[0])
    return out


class DomainSelection(BaseModel):
    """Which domains a run samples: only some, every problem including one of some, never some.

    Example: DomainSelection(only=["primes", "nim_games"]).pool(usable) -> ["primes", "nim_games"]
    """

    only: list[str] | None = None
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)

    @property
    def is_default(self) -> bool:
        """Whether it leaves the pool as it is."""
        return self.only is None and not self.include and not self.exclude

    def pool(self, usable: list[str]) -> list[str]:
        """The domains problems are drawn from."""
        base = [d for d in (self.only if self.only is not None else usable) if d in usable]
        return [d for d in dict.fromkeys(base) if d not in self.exclude]

    def favoured(self, usable: list[str]) -> list[str]:
        """Domains every problem includes one of (those still in the pool)."""
        pool = self.pool(usable)
        return [d for d in self.include if d in pool]

    def with_clause(self, mode: Mode, ids: list[str]) -> DomainSelection:
        """This selection after one more clause ("only …", "include …", "without …")."""
        only = list(self.only) if self.only is not None else None
        include = [d for d in self.include if d not in ids]
        exclude = [d for d in self.exclude if d not in ids]
        if mode == "only":
            only, include = list(ids), [d for d in include if d in ids]
        elif mode == "include":
            include += ids
            if only is not None:
                only += [d for d in ids if d not in only]
        else:
            exclude += ids
            if only is not None:
                only = [d for d in only if d not in ids]
        return DomainSelection(only=only, include=include, exclude=exclude)

    def describe(self, words: DomainWords) -> str:
        """One line for the screen: what problems are drawn from."""
        pool = self.pool(words.usable)
        if self.only is not None:
            text = f"only {', '.join(words.label(d) for d in pool) or 'none'}"
        else:
            text = f"{len(pool)} of the catalog's {len(words.cards)} domains"
            if self.exclude:
                text += f", never {', '.join(words.label(d) for d in self.exclude)}"
        favoured = self.favoured(words.usable)
        if favoured:
            text += ("; every problem includes " + ("one of " if len(favoured) > 1 else "")
                     + ", ".join(words.label(d) for d in favoured))
        return text


# Cue words of a goal, what they ask for, and how far down the tiers the words after them
# are read: after a plain preposition ("with a piece missing") only ids and names count.
_GOAL_CUES: list[tuple[Mode, int, str]] = [
    ("only", 4, r"only|just|exclusively|solely|purely"),
    ("exclude", 4, r"without|except(?: for)?|excluding|but not|apart from|other than"),
    ("include", 4, r"mostly|mainly|primarily|largely|chiefly|especially|featuring|including|"
                   r"involving|focus(?:ed|ing)? on"),
    ("exclude", 2, r"no"),
    ("include", 2, r"about|around|with|on"),
]
_CLAUSE_END = re.compile(r"[.,;:!?()\[\]\"]| - | — ")


@dataclass
class GoalDomains:
    """What a goal says about domains: clauses found, and cues followed by unclear domains."""

    clauses: list[tuple[Mode, list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def selection(self, start: DomainSelection | None = None) -> DomainSelection:
        """The selection these clauses make, applied in order."""
        out = start or DomainSelection()
        for mode, ids in self.clauses:
            out = out.with_clause(mode, ids)
        return out


def domains_in_goal(goal: str, words: DomainWords) -> GoalDomains:
    """The domain clauses of a goal: each cue word followed by the longest run of words that
    names domains and nothing else.

    Example: domains_in_goal("make R1 easier to prompt, mostly about music and knitting", w)
      -> clauses [("include", ["music_intervals", "knitting_patterns"])]
    """
    out = GoalDomains()
    low = goal.lower()
    consumed = 0
    cue_pattern = "|".join(f"(?P<cue{i}>\\b(?:{words_re})\\b)"
                           for i, (_, _, words_re) in enumerate(_GOAL_CUES))
    for m in re.finditer(cue_pattern, low):
        if m.start() < consumed:
            continue
        mode, tiers, _ = _GOAL_CUES[int(next(k for k, v in m.groupdict().items() if v)[3:])]
        rest = _CLAUSE_END.split(low[m.end():], maxsplit=1)[0]
        tokens = list(re.finditer(r"\S+", rest))
        for length in range(min(len(tokens), 12), 0, -1):
            found = read_domain_list(rest[:tokens[length - 1].end()], words, tiers)
            if found.unknown:
                continue  # a shorter run of words may name domains and nothing else
            if found.ok:
                out.clauses.append((mode, found.ids))
                consumed = m.end() + tokens[length - 1].end()
            else:
                out.problems += found.problems(words)
            break
    return out
