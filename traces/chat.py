"""The chat-messages schema trainers read (OpenAI format) and a checker for whole conversations.

Messages are `system`, `user`, `assistant` (text and/or `tool_calls`, each
with an `id`, `type: function` and a function name with JSON-encoded
arguments) and `tool` (the result of one call, by `tool_call_id`). A
conversation is valid when every tool result answers a call of the assistant
message just before it, every call is answered before the next turn, and ids
are unique. Exporters check their own output with it before writing, so a
bad file is a bug caught at the source. The trade-off: only the fields
trainers use are modelled; anything else is refused rather than passed on.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator


class FunctionCall(BaseModel):
    """The function a tool call names, with its arguments as an encoded JSON object."""

    model_config = ConfigDict(extra="forbid")

    name: str
    arguments: str  # a JSON object, encoded

    @field_validator("arguments")
    @classmethod
    def _json_object(cls, v: str) -> str:
        if not isinstance(json.loads(v), dict):
            raise ValueError("function arguments must encode a JSON object")
        return v


class ToolCall(BaseModel):
    """One call an assistant message makes; a `tool` message answers it by `id`."""

    model_config = ConfigDict(extra="forbid")

    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class TrainingMessage(BaseModel):
    """One message of a conversation in the OpenAI chat format."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> TrainingMessage:
        if self.role == "tool" and (not self.tool_call_id or self.content is None):
            raise ValueError("a tool message needs tool_call_id and content")
        if self.role != "tool" and self.tool_call_id is not None:
            raise ValueError(f"a {self.role} message cannot carry tool_call_id")
        if self.tool_calls and self.role != "assistant":
            raise ValueError("only assistant messages make tool calls")
        if self.role != "tool" and not self.content and not self.tool_calls:
            raise ValueError(f"an empty {self.role} message")
        return self


def validate_conversation(messages: list[dict[str, Any]]) -> list[TrainingMessage]:
    """The messages as models; ValueError if the conversation breaks the chat format."""
    parsed = [TrainingMessage.model_validate(m) for m in messages]
    if not parsed:
        raise ValueError("an empty conversation")
    if parsed[0].role not in ("system", "user"):
        raise ValueError("a conversation starts with a system or user message")
    seen: set[str] = set()
    pending: set[str] = set()
    for i, m in enumerate(parsed):
        if m.role == "tool":
            if m.tool_call_id not in pending:
                raise ValueError(f"message {i}: tool result {m.tool_call_id!r} answers no "
                                 "open call of the assistant message before it")
            pending.discard(m.tool_call_id)
            continue
        if pending:
            raise ValueError(f"message {i}: calls {sorted(pending)} were never answered")
        for call in m.tool_calls or []:
            if call.id in seen:
                raise ValueError(f"message {i}: tool call id {call.id!r} is used twice")
            seen.add(call.id)
            pending.add(call.id)
    if pending:
        raise ValueError(f"calls {sorted(pending)} were never answered")
    return parsed
