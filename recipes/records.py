"""The record: one problem, one key per generated part, each with its own checks.

Parts stay under separate keys until the conversation stage glues them, so a
set can be re-templated later. A record that fails a check keeps everything
it had plus `reject` (stage and reason) and goes to that stage's rejects file.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from retrolean.tools.verdict import Verdict


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Formal(_Part):
    """The formal problem and the checker's verdict on it."""

    language: Literal["smtlib2", "lean4"]
    text: str
    check: Verdict | None = None
    spec: dict[str, Any] | None = None  # the template backend's structured form
    witness_text: str | None = None  # Lean rendering with the witness proof, when made


class PresenceCheck(_Part):
    """Whether one requested domain really appears in the formal text."""

    touchstones: bool
    matched: list[str] = Field(default_factory=list)
    judge: float | None = None  # p(yes) of the judge, when one ran
    judge_method: str | None = None


class RoundTrip(_Part):
    """A text formalized again, its check, and its similarity to the original formal text."""

    text: str
    check: Verdict | None = None
    similarity: float | None = None
    domains: list[str] = Field(default_factory=list)


class English(_Part):
    """The plain-English caption of the formal problem, verified by a round trip."""

    text: str
    concise: list[str] = Field(default_factory=list)  # domains stated without their figures
    roundtrip: RoundTrip | None = None


class PersonaText(_Part):
    """A lossy description in one persona's voice; segments per domain kept for dropping."""

    persona: str
    text: str
    segments: dict[str, str] = Field(default_factory=dict)
    errors: list[str] = Field(default_factory=list)  # deliberate slips the process made
    frames: dict[str, str] = Field(default_factory=dict)  # domain -> frame name it was seen in


class Missing(_Part):
    """A persona description with one domain replaced by its need."""

    dropped: str
    frame_shifted: bool
    frames: dict[str, str] = Field(default_factory=dict)  # domain -> frame name used
    persona: str
    text: str
    roundtrip: RoundTrip | None = None
    touchstones_absent: bool | None = None


class FillIn(_Part):
    """The assistant turn that names the missing domain and how it meets the need."""

    domain: str
    text: str


class Message(_Part):
    role: Literal["system", "user", "assistant"]
    content: str


class Conversation(_Part):
    template: str
    persona: str
    messages: list[Message]


class Provenance(_Part):
    generator: Literal["template", "model"]
    model: str | None = None
    recipe: str
    seed: int
    skill_versions: dict[str, str] = Field(default_factory=dict)


class Reject(_Part):
    stage: str
    reason: str
    kind: str  # the reason without its figures, for counting


class Record(BaseModel):
    """One problem with all its generated parts."""

    model_config = ConfigDict(extra="forbid")

    id: str
    domains: list[str]
    theme: str | None = None
    formal: Formal | None = None
    presence: dict[str, PresenceCheck] = Field(default_factory=dict)
    english: English | None = None
    personas: dict[str, PersonaText] = Field(default_factory=dict)
    missing: Missing | None = None
    fill_in: FillIn | None = None
    conversations: list[Conversation] = Field(default_factory=list)
    provenance: Provenance
    reject: Reject | None = None
