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


class DomainCard(_Card):
    """A problem domain: what it is, how to spot it, what it is for, how else to see it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str = Field(min_length=20)
    touchstones: Touchstones
    need: str = Field(min_length=10)
    frames: list[Frame] = Field(min_length=2)
    keywords: list[str] = Field(min_length=1)
    lay_terms: list[str] = Field(min_length=1)

    @field_validator("keywords")
    @classmethod
    def _compile(cls, v: list[str]) -> list[str]:
        return _check_regexes(v)


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
        pattern=r"^(missing|persona|fill_in|rigorous|confirm|solve|related|ack)$"
    )


ConversationTemplate.model_rebuild()
