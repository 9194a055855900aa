"""Grounded figures: every number an assistant turn states must come from somewhere.

A figure is a whole number written in digits in an assistant turn's prose
(fenced code — the formal text, a solver's assignment — is not prose). It is
*grounded* when

- the user stated it in an earlier turn of the conversation, in digits or as
  a number word up to twenty (`wording.stated_numbers`), or
- an assistant turn of the conversation (this one or an earlier one)
  introduces it as a chosen value: it stands in a *declaration*, a paragraph
  whose first sentence carries one of `CHOICE_MARKERS` ("I'll take", "my own
  choosing", "placeholder", …), or
- it is 0 or 1, which state conventions (numbering from 0, "exactly 1"), not
  specifics a user would have to give.

The conversation templates build declarations so that every figure is
grounded; `eval report` measures the share with the same functions.
Trade-off: grounding is by value, so a user's "5 of them" grounds a 5 that
means something else; a declaration grounds everything in its paragraph.

Example: [user: "3 jobs", assistant: "I'll take durations 2 and 4.\\n\\nJobs 2, 4, 3."]
  -> every figure grounded (3 from the user, 2 and 4 declared)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from retrolean.skills.wording import figures, prose, sentences, stated_numbers

CHOICE_MARKERS = (
    "i'll take", "i'm taking", "i'll assume", "i'm assuming", "i've assumed", "assuming",
    "i picked", "i've picked", "picked myself", "picked my own", "my picks", "my own choosing",
    "my own choice", "my choice", "placeholder", "made-up", "made up", "i chose",
    "i've chosen", "for illustration",
)
EXEMPT = frozenset({0, 1})


def paragraphs(text: str) -> list[str]:
    """The text split at blank lines, empties dropped."""
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def is_declaration(paragraph: str) -> bool:
    """Whether the paragraph's first sentence introduces its figures as chosen values."""
    first = sentences(prose(paragraph))
    return bool(first) and any(m in first[0].lower() for m in CHOICE_MARKERS)


def declared(text: str) -> set[int]:
    """The figures an assistant turn introduces as chosen values."""
    return {n for p in paragraphs(prose(text)) if is_declaration(p) for n in figures(p)}


@dataclass
class TurnGrounding:
    """The figures of one assistant turn, and those that came from nowhere."""

    index: int
    figures: list[int]
    ungrounded: list[int] = field(default_factory=list)


def ground(messages: list[dict[str, str]]) -> list[TurnGrounding]:
    """Per assistant turn: its figures and the ones neither the user gave nor a turn declared."""
    said: set[int] = set()
    chosen: set[int] = set()
    out = []
    for i, m in enumerate(messages):
        text = m.get("content", "")
        if m.get("role") == "user":
            said |= stated_numbers(text)
            continue
        if m.get("role") != "assistant":
            continue
        chosen |= declared(text)
        found = figures(prose(text))
        out.append(TurnGrounding(i, found, [n for n in found
                                            if n not in said | chosen | EXEMPT]))
    return out


def known_numbers(messages: list[dict[str, str]]) -> set[int]:
    """Every number a later assistant turn may state freely: said by the user, or declared."""
    out = set(EXEMPT)
    for m in messages:
        out |= stated_numbers(m["content"]) if m["role"] == "user" else declared(m["content"])
    return out
