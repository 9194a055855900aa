"""fill_in, model output: the assistant turn that supplies the missing domain."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FillIn(BaseModel):
    """The assistant's reply naming the missing domain and how it meets the need."""

    text: str = Field(min_length=20, description="the assistant's reply")
