"""The record: one problem, one key per generated part, each with its own checks.

Parts stay under separate keys until the conversation stage glues them, so a
set can be re-templated later. A record that fails a check keeps everything
it had plus `reject` (stage and reason) and goes to that stage's rejects file.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from retrolean.memory.languages import FormalLanguage
from retrolean.tools.proof import Proof, Value
from retrolean.tools.smt_proofs import Interaction
from retrolean.tools.verdict import Verdict

Outcome = Literal["pass", "fail", "undecided"]
RoundTripMethod = Literal["equivalence", "witness", "similarity"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolCheck(_Part):
    """One checker tool's verdict, on the part's own text or on the problem rendered in the
    language that checker reads (then `text` is that rendering)."""

    language: FormalLanguage
    verdict: Verdict
    text: str | None = None


def _absent(value: object) -> bool:
    return value is None


class Formal(_Part):
    """The formal problem and the checkers' verdict on it.

    `check` is the verdict the stage acted on; `checks` keeps each checker tool's own where
    the plan named several, or one that read a rendering in its language (absent otherwise).
    """

    language: FormalLanguage
    text: str
    check: Verdict | None = None
    checks: dict[str, ToolCheck] | None = Field(None, exclude_if=_absent)
    spec: dict[str, Any] | None = None  # the template backend's structured form
    witness_text: str | None = None  # Lean rendering with the witness proof, when made
    # how the domains interact: links, those that add a constraint, connected (Z3's verdict)
    interaction: Interaction | None = Field(None, exclude_if=_absent)


class PresenceCheck(_Part):
    """Whether one requested domain really appears in the formal text."""

    touchstones: bool
    matched: list[str] = Field(default_factory=list)
    judge: float | None = None  # p(yes) of the judge, when it answered yes or no
    judge_method: str | None = None
    # what decided: "touchstones" (no judge runs: the template backend, or none planned),
    # "touchstones+judge"; "judge-undecided" when the judge gave neither yes nor no
    method: str | None = None


class RoundTrip(_Part):
    """A text formalized again, its check, how it compares with the original, and why.

    `method` says what decided `outcome`: `equivalence` (a prover proved or refuted that
    both problems are the same), `witness` (each side's witness solves the other — where
    equivalence could not be decided), `similarity` (where neither could). `counterexample`
    is an assignment satisfying exactly one side (or a witness the other side rejects).
    """

    text: str
    check: Verdict | None = None
    checks: dict[str, ToolCheck] | None = Field(None, exclude_if=_absent)  # as in Formal
    similarity: float | None = None
    domains: list[str] = Field(default_factory=list)
    outcome: Outcome | None = None
    method: RoundTripMethod | None = None
    reason: str = ""
    counterexample: dict[str, Value] | None = None
    proofs: list[Proof] = Field(default_factory=list)  # each method tried, in order


class English(_Part):
    """The plain-English caption of the formal problem, verified by a round trip."""

    text: str
    concise: list[str] = Field(default_factory=list)  # domains stated without their figures
    roundtrip: RoundTrip | None = None
    recaptions: int = 0  # times the caption was written again after a failed round trip


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
    # Z3 under the original's unknowns: the version does not entail the dropped domain's
    # constraints (`proof.outcome == "holds"`, with an assignment that shows it)
    proof: Proof | None = None
    entails: dict[str, bool | None] = Field(default_factory=dict)  # remaining domain -> entailed
    method: str | None = None  # what decided: "touchstones+z3", or "touchstones+similarity"
    outcome: Outcome | None = None


class FillInTurn(_Part):
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
    fill_in: FillInTurn | None = None
    conversations: list[Conversation] = Field(default_factory=list)
    provenance: Provenance
    reject: Reject | None = None
