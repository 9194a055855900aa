"""What a skill knows about a domain or a persona: the catalog's cards.

The catalogs live in `recipes/catalog/*.yaml`; these models are the schema
they are validated against. They sit in `skills` because skills consume them
and `recipes` depends on `skills`, not the other way round.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from retrolean.memory.languages import FormalLanguage


class _Card(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regexes(patterns: list[str]) -> list[str]:
    for p in patterns:
        try:
            re.compile(p)
        except re.error as e:
            raise ValueError(f"bad regular expression {p!r}: {e}") from e
    return patterns


class Touchstones(_Card):
    """Regexes whose match in a formal text (comments stripped) shows the domain is used."""

    smtlib2: list[str] = Field(min_length=1)
    lean4: list[str] = Field(min_length=1)

    @field_validator("smtlib2", "lean4")
    @classmethod
    def _compile(cls, v: list[str]) -> list[str]:
        return _check_regexes(v)

    def of(self, language: FormalLanguage) -> list[str]:
        """The touchstones for texts in `language`. Example: card.touchstones.of(LEAN4)."""
        return self.lean4 if language == FormalLanguage.LEAN4 else self.smtlib2


class Frame(_Card):
    """Another way of seeing the same structure, as a phrase a person might say."""

    name: str
    text: str = Field(min_length=10)


MIN_FRAMES = 4  # a frame shift needs a frame no persona text of the record used


class DomainCard(_Card):
    """A problem domain: what it is, how to spot it, what it is for, how else to see it.

    The lay fields after `lay_terms` are optional (a user's catalog may omit them; the
    template processes then fall back to `need` and the caption's nouns): `need_goals`
    and `need_conditions` compose the need in other words ("{goal} {condition}"),
    `figures` says the gadget's parameters in lay words, `quantities` names each gadget
    port the way a person would. `{param}` in them is the gadget parameter as the caption
    writes it, `{#param}` the length of a list parameter.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str = Field(min_length=20)
    touchstones: Touchstones
    need: str = Field(min_length=10)
    frames: list[Frame] = Field(min_length=MIN_FRAMES)
    keywords: list[str] = Field(min_length=1)
    lay_terms: list[str] = Field(min_length=1)
    need_goals: list[str] = Field(default_factory=list)
    need_conditions: list[str] = Field(default_factory=list)
    figures: list[str] = Field(default_factory=list)
    quantities: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("keywords")
    @classmethod
    def _compile(cls, v: list[str]) -> list[str]:
        return _check_regexes(v)


_NAMING: dict[tuple[str, ...], list[re.Pattern[str]]] = {}


def naming_patterns(card: DomainCard) -> list[re.Pattern[str]]:
    """What names a domain in a text: its keywords, then its name, lay terms and frame names
    as whole words, compiled (cached per card content)."""
    phrases = (card.name, *card.lay_terms, *(f.name for f in card.frames))
    key = (*card.keywords, "|", *phrases)
    if key not in _NAMING:
        _NAMING[key] = [re.compile(k, re.IGNORECASE) for k in card.keywords] + [
            re.compile(r"\b" + re.escape(p) + r"\b", re.IGNORECASE) for p in phrases]
    return _NAMING[key]


class PersonaCard(_Card):
    """A style of lossy description, with the settings of its own generative process."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str
    temperature: float = Field(ge=0.0, le=2.0)
    examples: list[str] = Field(min_length=1)


class ConversationTemplate(_Card):
    """A multi-turn shape: which part each turn carries and who says it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str
    turns: list[Turn] = Field(min_length=2)


class Turn(_Card):
    role: str = Field(pattern=r"^(user|assistant)$")
    part: str = Field(
        pattern=r"^(missing|persona|followup|pick|fill_in|rigorous|confirm|solve|related|ack)$"
    )


ConversationTemplate.model_rebuild()
