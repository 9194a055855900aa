"""drop_domain, model output: the description with one part replaced by its need.

Trade-off: the frames a frame-shifted rewrite used are reported by the model
itself (free text per part), since a model rewrite has no segment keys.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class MissingDescription(BaseModel):
    """The rewritten description, and the new frame used for each reframed part."""

    description: str = Field(min_length=20, description="the description with the part missing")
    frames: dict[str, str] = Field(default_factory=dict,
                                   description="part -> the new frame it was described in")
