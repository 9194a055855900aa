"""caption, model output: the plain-English statement of a formal problem.

Trade-off: only the caption itself is asked for; which parts a caption states
without figures is the template process's notion and is not asked of a model.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Caption(BaseModel):
    """The caption: every part of the problem in plain English, figures included."""

    caption: str = Field(min_length=20, description="the problem in plain English")
