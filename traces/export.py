"""A trace rendered for training: chat messages with tool calls, and weave-agent's plain text.

Chat messages (OpenAI format): a system prompt, the goal as the user's turn,
then the blocks in order, each as its `turn()` says (traces/schema.py):
consecutive thoughts share one assistant message, an action is an assistant
tool call, the observation (or error) after it is that call's `tool` result,
and results with no call open, user messages and task reminders are user
turns. A call left without a result (a run cut off mid-step) gets a result
saying so, so every export is a valid conversation. `tool_schemas` describes
the tools called, with the argument schemas the caller passes (the tool
registry's: `retrolean.tools.registry.tool_schemas`), inferred from the calls
for a tool it does not know (version-1 traces' `run_stage`).

The weave rendering puts each block between `#startblock type: …` and
`#endblock` (each block's `weave()`); `weave_pairs` splits it as weave-agent
trains: earlier blocks as the prompt, the next model-written block as the
completion. The trade-off: data that is pure bookkeeping on thought blocks (a
yield already stated in the body) is left out of the text.
"""

from __future__ import annotations

import json
from typing import Any

from retrolean.traces.chat import validate_conversation
from retrolean.traces.schema import Block

SYSTEM_PROMPT = (
    "You are retrolean, an agent that builds verified synthetic training data so reasoning "
    "models can be prompted the way people really talk. You work in steps: orient yourself, "
    "act by calling tools, say what you expect, read what the tools return, evaluate it, and "
    "conclude with the outcome."
)
WRITTEN_BY_MODEL = ("orientation", "action", "expectation", "evaluation", "outcome", "debug",
                    "backtrack")
NO_RESULT = "(no result was recorded: the run stopped before this call returned)"
RUN_STAGE_DOC = "Run one recipe stage over the current records and save its sets."
JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
              dict: "object"}


class _Conversation:
    """Builds the message list turn by turn, keeping tool calls and results paired."""

    def __init__(self, goal: str) -> None:
        self.messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT},
                                               {"role": "user", "content": goal}]
        self.pending: list[tuple[str, str | None]] = []  # (call id, stage)

    def _close(self) -> None:
        for call_id, _ in self.pending:
            self.messages.append({"role": "tool", "tool_call_id": call_id, "content": NO_RESULT})
        self.pending = []

    def _assistant(self) -> dict[str, Any]:
        last = self.messages[-1]
        if last["role"] == "assistant":
            return last
        self._close()
        self.messages.append({"role": "assistant", "content": ""})
        return self.messages[-1]

    def say(self, text: str) -> None:
        m = self._assistant()
        m["content"] = f"{m['content']}\n\n{text}" if m["content"] else text

    def call(self, text: str, call: dict[str, Any], stage: str | None) -> None:
        self.say(text)
        self.messages[-1].setdefault("tool_calls", []).append(call)
        self.pending.append((call["id"], stage))

    def result(self, text: str, stage: str | None) -> None:
        match = next((p for p in self.pending if p[1] == stage), self.pending[0])
        self.pending.remove(match)
        self.messages.append({"role": "tool", "tool_call_id": match[0], "content": text})

    def user(self, text: str) -> None:
        self._close()
        last = self.messages[-1]
        if last["role"] == "user":
            last["content"] += f"\n\n{text}"
        else:
            self.messages.append({"role": "user", "content": text})

    def finish(self) -> list[dict[str, Any]]:
        self._close()
        return self.messages


def trace_messages(goal: str, blocks: list[Block]) -> list[dict[str, Any]]:
    """The trace as one validated conversation in the OpenAI messages format."""
    conv = _Conversation(goal)
    for block in blocks:
        turn = block.turn()
        if turn.kind == "call" and turn.call is not None:
            conv.call(turn.text, turn.call, block.stage)
        elif turn.kind == "result":
            if conv.pending:
                conv.result(turn.text, block.stage)
            else:
                conv.user(turn.alone)
        elif turn.kind == "thought":
            conv.say(turn.text)
        else:
            conv.user(turn.text)
    messages = conv.finish()
    validate_conversation(messages)
    return messages


def _inferred(name: str, calls: list[dict[str, Any]]) -> dict[str, Any]:
    props: dict[str, dict[str, Any]] = {}
    for arguments in calls:
        for key, value in arguments.items():
            kind = JSON_TYPES.get(type(value))
            props.setdefault(key, {"type": kind} if kind else {})
    doc = RUN_STAGE_DOC if name == "run_stage" else f"The {name} tool, as called in the trace."
    return {"type": "function", "function": {
        "name": name, "description": doc, "parameters": {"type": "object", "properties": props}}}


def tool_schemas(messages: list[dict[str, Any]],
                 known: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Function descriptions of the tools called in a conversation (for a `tools` column):
    `known[name]` where given (the registry's schemas), else inferred from the calls."""
    called: dict[str, list[dict[str, Any]]] = {}
    for m in messages:
        for call in m.get("tool_calls") or []:
            fn = call["function"]
            called.setdefault(fn["name"], []).append(json.loads(fn["arguments"]))
    known = known or {}
    return [known[name] if name in known else _inferred(name, calls)
            for name, calls in called.items()]


def weave_text(blocks: list[Block]) -> str:
    """The whole trace as one weave-agent document."""
    return "".join(b.weave() for b in blocks)


def weave_pairs(blocks: list[Block]) -> list[dict[str, Any]]:
    """(prompt, completion) pairs: the blocks so far as context, the next model-written block."""
    rendered = [b.weave() for b in blocks]
    return [{"prompt": "".join(rendered[:i]), "completion": rendered[i], "index": b.index,
             "type": b.type} for i, b in enumerate(blocks) if b.type in WRITTEN_BY_MODEL]
