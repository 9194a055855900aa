"""persona, model output: one description of a problem in a persona's voice.

Trade-off: a model's description comes back whole, not split per domain as the
template process's segments are; dropping a domain from it is a rewrite of
the whole text (see skills/drop_domain/prompt.*.md).
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class PersonaDescription(BaseModel):
    """The persona's description of the problem (lossy, maybe wrong: that is wanted)."""

    description: str = Field(min_length=20, description="the description, in the persona's voice")
