"""The trace: one typed block per line, in weave-agent's vocabulary, each rendering itself.

The first line of `trace.jsonl` is a `TraceHeader` stating the format and its
version; every other line is a block. Every block type is its own pydantic
class (`OrientationBlock`, `ActionBlock`, …) with typed `data`
(`traces/block_data.py`) and the same envelope: stage, time, tokens and
timings, and — where something was judged — a `score` (log-odds of yes) with
its question `q`. `Block` is their union, told apart by `type`.

Like smolagents' memory steps, each block knows how it renders: `weave()`
gives weave-agent's text form, `turn()` how it joins a chat conversation (a
thought, a tool call, a tool result or a user turn); `traces/export.py` only
strings turns together. Version 2 typed the data; version-1 traces (data a
plain dict) are read through `traces/upgrade.py`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from retrolean.traces.block_data import (
    ErrorData,
    EvaluationData,
    ExpectationData,
    ModelCall,
    NoData,
    ObservationData,
    OrientationData,
    OutcomeData,
    TaskReminderData,
    ToolCall,
)

FORMAT = "retrolean-trace"
VERSION = 2

BlockType = Literal[
    "orientation", "action", "expectation", "observation", "evaluation", "outcome",
    "error", "debug", "backtrack", "task-reminder", "user",
]
TurnKind = Literal["thought", "call", "result", "user"]


def now() -> str:
    """The current UTC time in ISO 8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def p_yes(score: float) -> float:
    """p(yes) from a judge's log-odds. Example: 0.0 -> 0.5"""
    if score >= 0:
        return 1 / (1 + math.exp(-score))
    return math.exp(score) / (1 + math.exp(score))


def compact_json(data: Any) -> str:
    """JSON on one line, keys sorted, text unescaped (how blocks show their data)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


class TraceHeader(BaseModel):
    """First line of a trace: what the file is and which run it belongs to."""

    format: Literal["retrolean-trace"] = FORMAT
    version: int = VERSION
    run_id: str
    goal: str
    created: str = Field(default_factory=now)


@dataclass(frozen=True)
class Turn:
    """How a block joins a chat conversation.

    `thought`: assistant text; `call`: an assistant tool call (`call` holds it);
    `result`: the answer to the open call — or, with no call open, the user turn
    `alone`; `user`: a user turn.
    """

    kind: TurnKind
    text: str
    call: dict[str, Any] | None = None
    alone: str = ""


class TraceBlock(BaseModel):
    """The envelope every block shares; subclasses fix `type` and type `data`."""

    model_config = ConfigDict(extra="forbid")

    type: BlockType
    index: int = 0
    timestamp: str = Field(default_factory=now)
    stage: str | None = None
    body: str
    tokens_in: int | None = None
    tokens_out: int | None = None
    elapsed_ms: float | None = None
    score: float | None = None
    q: str | None = None
    legacy: dict[str, Any] | None = None  # data of an older trace with no field here

    turn_kind: ClassVar[TurnKind] = "thought"
    prefix: ClassVar[str] = ""  # how the block's text opens in a chat turn
    data_in_text: ClassVar[bool] = True  # False: the data is bookkeeping the body states

    def data_view(self) -> dict[str, Any]:
        """The block's data as plain JSON values, leaving out what is empty or default."""
        data: BaseModel = getattr(self, "data")  # noqa: B009 - every subclass declares it
        view = data.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        return {**view, **({"legacy": self.legacy} if self.legacy else {})}

    def text_with_data(self) -> str:
        """The body, then the data as one line of JSON where there is any."""
        view = self.data_view()
        return self.body + (f"\n{compact_json(view)}" if view else "")

    def judgement(self) -> tuple[str, float] | None:
        """("Yes." or "No.", its probability) for a judged block, else None.

        Example: a block with score 1.0 -> ("Yes.", 0.7311)
        """
        if self.score is None:
            return None
        p = p_yes(self.score)
        return ("Yes.", p) if p >= 0.5 else ("No.", 1 - p)

    def weave(self) -> str:
        """The block in weave-agent's plain-text form.

        Example: -> "#startblock type: evaluation\\n#index 4\\n#timestamp …\\n#stage formalize
        \\n…\\n#endblock\\n"
        """
        lines = [f"#startblock type: {self.type}", f"#index {self.index}",
                 f"#timestamp {self.timestamp}"]
        if self.stage:
            lines.append(f"#stage {self.stage}")
        lines.append(self.text_with_data() if self.data_in_text else self.body)
        if (judged := self.judgement()) is not None:
            answer, prob = judged
            lines.append(f"#q: {self.q or 'Is this block good?'} {answer} ({100 * prob:.3f}%)")
        lines.append("#endblock")
        return "\n".join(lines) + "\n"

    def turn(self) -> Turn:
        """How this block joins a chat conversation (see `Turn`)."""
        if self.turn_kind == "result":
            text = self.text_with_data()
            return Turn("result", text, alone=self.prefix + text)
        return Turn(self.turn_kind, self.prefix + self.body)


class OrientationBlock(TraceBlock):
    """Where the agent stands: the plan, an edit to it, a stage starting."""

    type: Literal["orientation"] = "orientation"
    data: OrientationData = Field(default_factory=OrientationData)
    data_in_text: ClassVar[bool] = False


class ActionBlock(TraceBlock):
    """A tool call."""

    type: Literal["action"] = "action"
    data: ToolCall
    turn_kind: ClassVar[TurnKind] = "call"

    def tool_call(self) -> dict[str, Any]:
        """The call in the OpenAI format; its id names the block. Example: {"id": "call_7", …}"""
        return {"id": f"call_{self.index}", "type": "function",
                "function": {"name": self.data.tool,
                             "arguments": compact_json(self.data.arguments)}}

    def turn(self) -> Turn:
        return Turn("call", self.body, call=self.tool_call())


class ExpectationBlock(TraceBlock):
    """What the agent expects the next action to yield."""

    type: Literal["expectation"] = "expectation"
    data: ExpectationData = Field(default_factory=ExpectationData)
    prefix: ClassVar[str] = "Expectation: "
    data_in_text: ClassVar[bool] = False


class ObservationBlock(TraceBlock):
    """What a tool call gave back."""

    type: Literal["observation"] = "observation"
    data: ObservationData = Field(default_factory=ObservationData)
    turn_kind: ClassVar[TurnKind] = "result"
    prefix: ClassVar[str] = "Observation: "


class EvaluationBlock(TraceBlock):
    """A judgement: a stage's yield against its expectation, or a judged question."""

    type: Literal["evaluation"] = "evaluation"
    data: EvaluationData = Field(default_factory=EvaluationData)
    prefix: ClassVar[str] = "Evaluation: "
    data_in_text: ClassVar[bool] = False


class OutcomeBlock(TraceBlock):
    """How the run ended."""

    type: Literal["outcome"] = "outcome"
    data: OutcomeData
    prefix: ClassVar[str] = "Outcome: "


class ErrorBlock(TraceBlock):
    """Something went wrong (a failed call answers the open tool call)."""

    type: Literal["error"] = "error"
    data: ErrorData = Field(default_factory=ErrorData)
    turn_kind: ClassVar[TurnKind] = "result"
    prefix: ClassVar[str] = "Error: "

    def turn(self) -> Turn:
        text = self.text_with_data()
        return Turn("result", f"error: {text}", alone=self.prefix + text)


class DebugBlock(TraceBlock):
    """Accounting of one model call: tokens, latency, cache, outcome, reasoning excerpt."""

    type: Literal["debug"] = "debug"
    data: ModelCall
    prefix: ClassVar[str] = "Debug: "
    data_in_text: ClassVar[bool] = False


class BacktrackBlock(TraceBlock):
    """The agent going back on an earlier step."""

    type: Literal["backtrack"] = "backtrack"
    data: NoData = Field(default_factory=NoData)
    prefix: ClassVar[str] = "Backtrack: "
    data_in_text: ClassVar[bool] = False


class TaskReminderBlock(TraceBlock):
    """A reminder of the task and where the run stands."""

    type: Literal["task-reminder"] = "task-reminder"
    data: TaskReminderData = Field(default_factory=TaskReminderData)
    turn_kind: ClassVar[TurnKind] = "user"
    prefix: ClassVar[str] = "Reminder: "


class UserBlock(TraceBlock):
    """What the user said."""

    type: Literal["user"] = "user"
    data: NoData = Field(default_factory=NoData)
    turn_kind: ClassVar[TurnKind] = "user"


Block = Annotated[
    OrientationBlock | ActionBlock | ExpectationBlock | ObservationBlock | EvaluationBlock
    | OutcomeBlock | ErrorBlock | DebugBlock | BacktrackBlock | TaskReminderBlock | UserBlock,
    Field(discriminator="type"),
]
BLOCKS: TypeAdapter[Block] = TypeAdapter(Block)


def make_block(type: BlockType, body: str, **fields: Any) -> Block:
    """A block of the given type; `data` may be its model or a dict of its fields.

    Example: make_block("expectation", "at least 40%", data={"min_yield": 0.4})
    """
    return BLOCKS.validate_python({"type": type, "body": body, **fields})


def call_block(call: ModelCall, stage: str | None = None) -> Block:
    """A model call as a block: an evaluation for a judged question, else a debug block.

    Example: call_block(ModelCall(skill="caption", outcome="ok", tokens_in=10), "caption")
             -> DebugBlock(body="model call caption (round 0): 10 tokens in, 0 out, 0.0 s; ok")
    """
    where = "cache" if call.cached else f"{call.latency_ms / 1000:.1f} s"
    envelope: dict[str, Any] = {"stage": stage, "tokens_in": call.tokens_in,
                                "tokens_out": call.tokens_out,
                                "elapsed_ms": round(call.latency_ms, 1)}
    if call.judged:
        body = (f"{call.question} -> p(yes) {call.p_yes:.2f} by {call.judge_method} ({where})")
        return EvaluationBlock(body=body, score=call.score, q=call.question,
                               data=EvaluationData(judged=call), **envelope)
    tail = f": {call.detail}" if call.detail else ""
    body = (f"model call {call.skill} (round {call.round}): {call.tokens_in} tokens in, "
            f"{call.tokens_out} out, {where}; {call.outcome}{tail}")
    return DebugBlock(body=body, data=call, **envelope)
