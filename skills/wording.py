"""Units of text that the template processes and the evaluations agree on.

Sentences (how a text is split and when two sentences are "the same"),
figures (the numbers a text states, in digits or as small number words) and
code fences (text that is formal, not prose). One definition serves both the
processes that promise "no sentence twice" or "no invented figure" and the
report that checks the promise. Trade-off: splitting is by punctuation, so an
abbreviation with a full stop ("e.g.") would split a sentence; none of our
texts use one.

Example: sentences("ok. 5 jobs! ok.") -> ["ok.", "5 jobs!", "ok."];
         figures("5 jobs, C4H10, 0-1") -> [5, 0, 1]
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_FIGURE = re.compile(r"(?<![\w.])\d+(?![\w])")
_WORD = re.compile(r"[a-z0-9']+")

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                "seventeen", "eighteen", "nineteen", "twenty")
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)


def sentences(text: str) -> list[str]:
    """The sentences of a text, split after . ! ? and at line breaks, empties dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def sentence_key(sentence: str) -> str:
    """What makes two sentences the same: their words, lower-cased, punctuation ignored.

    Example: sentence_key("Quick q.") == sentence_key("quick q") -> True
    """
    return " ".join(_WORD.findall(sentence.lower()))


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters, digits, apostrophes), as the n-gram measures count."""
    return _WORD.findall(text.lower())


def prose(text: str) -> str:
    """The text with fenced code blocks removed (formal text is not prose)."""
    return _FENCE.sub(" ", text)


def figures(text: str) -> list[int]:
    """The whole numbers a text states in digits, in order (digits inside words excluded).

    Example: figures("C4H10 burns; 2 of them, pairs 0-1") -> [2, 0, 1]
    """
    return [int(m.group(0)) for m in _FIGURE.finditer(text)]


def stated_numbers(text: str) -> set[int]:
    """Every number a text states, in digits or as a number word from zero to twenty."""
    out = set(figures(text))
    out |= {NUMBER_WORDS.index(m.group(1).lower()) for m in _NUMBER_WORD.finditer(text)}
    return out


def number_word(n: int) -> str:
    """Small numbers as words, larger ones as digits. Example: number_word(3) -> "three"."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)
