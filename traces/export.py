"""A trace rendered for training: chat messages with tool calls, and weave-agent's plain text.

Chat messages (OpenAI format): a system prompt, the goal as the user's turn,
then the blocks in order. The block types map to roles through two tables
below, not a chain of special cases:

- thought blocks (`orientation`, `expectation`, `evaluation`, `outcome`,
  `debug`, `backtrack`) are assistant text; consecutive ones share a message;
- an `action` is an assistant tool call (`data.tool`/`data.arguments` when the
  block names a tool, else `run_stage` with the stage and the block's data);
- an `observation` or `error` that follows a call is that call's `tool` result
  (its body and data), otherwise — like `user` and `task-reminder` — a user turn.

A call left without a result (a run cut off mid-step) gets a result saying so,
so every export is a valid conversation. The weave rendering puts each block
between `#startblock type: …` and `#endblock` with `#index`, `#timestamp` and
`#stage` header lines and, where judged, a `#q: … Yes. (p%)` line; `weave_pairs`
splits it as weave-agent trains: earlier blocks as the prompt, the next
model-written block as the completion. The trade-off: data that is pure
bookkeeping on thought blocks (a yield already stated in the body) is left out.
"""

from __future__ import annotations

import json
from typing import Any

from retrolean.traces.chat import validate_conversation
from retrolean.traces.schema import Block
from retrolean.traces.score import p_yes

SYSTEM_PROMPT = (
    "You are retrolean, an agent that builds verified synthetic training data so reasoning "
    "models can be prompted the way people really talk. You work in steps: orient yourself, "
    "act by calling tools, say what you expect, read what the tools return, evaluate it, and "
    "conclude with the outcome."
)
THOUGHT = {"orientation": "", "expectation": "Expectation: ", "evaluation": "Evaluation: ",
           "outcome": "Outcome: ", "debug": "Debug: ", "backtrack": "Backtrack: "}
USER_TURN = {"user": "", "task-reminder": "Reminder: ", "observation": "Observation: ",
             "error": "Error: "}
RESULT_TYPES = ("observation", "error")
BOOKKEEPING_DATA = ("orientation", "expectation", "evaluation", "debug", "backtrack")
WRITTEN_BY_MODEL = ("orientation", "action", "expectation", "evaluation", "outcome", "debug",
                    "backtrack")
NO_RESULT = "(no result was recorded: the run stopped before this call returned)"
RUN_STAGE_DOC = "Run one recipe stage over the current records and save its sets."


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def tool_call(block: Block) -> dict[str, Any]:
    """The OpenAI tool call an action block stands for."""
    name, args = block.data.get("tool"), block.data.get("arguments")
    if not (isinstance(name, str) and isinstance(args, dict)):
        name, args = "run_stage", {"stage": block.stage, **block.data}
    return {"id": f"call_{block.index}", "type": "function",
            "function": {"name": name, "arguments": _json(args)}}


def _with_data(block: Block) -> str:
    return block.body + (f"\n{_json(block.data)}" if block.data else "")


class _Conversation:
    """Builds the message list block by block, keeping tool calls and results paired."""

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

    def call(self, block: Block) -> None:
        self.say(block.body)
        call = tool_call(block)
        self.messages[-1].setdefault("tool_calls", []).append(call)
        self.pending.append((call["id"], block.stage))

    def result(self, block: Block) -> None:
        match = next((p for p in self.pending if p[1] == block.stage), self.pending[0])
        self.pending.remove(match)
        prefix = "error: " if block.type == "error" else ""
        self.messages.append({"role": "tool", "tool_call_id": match[0],
                              "content": prefix + _with_data(block)})

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
    for b in blocks:
        if b.type == "action":
            conv.call(b)
        elif b.type in RESULT_TYPES and conv.pending:
            conv.result(b)
        elif b.type in THOUGHT:
            conv.say(THOUGHT[b.type] + b.body)
        else:
            text = _with_data(b) if b.type in RESULT_TYPES else b.body
            conv.user(USER_TURN.get(b.type, f"{b.type}: ") + text)
    messages = conv.finish()
    validate_conversation(messages)
    return messages


def tool_schemas(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Function descriptions of the tools called in a conversation (for a `tools` column)."""
    types = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
             dict: "object"}
    props: dict[str, dict[str, Any]] = {}
    for m in messages:
        for call in m.get("tool_calls") or []:
            fn = call["function"]
            for key, value in json.loads(fn["arguments"]).items():
                kind = types.get(type(value))
                props.setdefault(fn["name"], {})[key] = {"type": kind} if kind else {}
    return [{"type": "function", "function": {
        "name": name, "description": RUN_STAGE_DOC if name == "run_stage" else
        f"The {name} tool, as called in the trace.",
        "parameters": {"type": "object", "properties": p}}} for name, p in props.items()]


def weave_block(block: Block) -> str:
    """One block in weave-agent's plain-text form.

    Example: -> "#startblock type: evaluation\\n#index 4\\n#timestamp …\\n#stage formalize\\n…
    \\n#endblock"
    """
    lines = [f"#startblock type: {block.type}", f"#index {block.index}",
             f"#timestamp {block.timestamp}"]
    if block.stage:
        lines.append(f"#stage {block.stage}")
    lines.append(block.body if block.type in BOOKKEEPING_DATA else _with_data(block))
    if block.score is not None:
        p = p_yes(block.score)
        answer, prob = ("Yes.", p) if p >= 0.5 else ("No.", 1 - p)
        lines.append(f"#q: {block.q or 'Is this block good?'} {answer} ({100 * prob:.3f}%)")
    lines.append("#endblock")
    return "\n".join(lines) + "\n"


def weave_text(blocks: list[Block]) -> str:
    """The whole trace as one weave-agent document."""
    return "".join(weave_block(b) for b in blocks)


def weave_pairs(blocks: list[Block]) -> list[dict[str, Any]]:
    """(prompt, completion) pairs: the blocks so far as context, the next model-written block."""
    rendered = [weave_block(b) for b in blocks]
    return [{"prompt": "".join(rendered[:i]), "completion": rendered[i], "index": b.index,
             "type": b.type} for i, b in enumerate(blocks) if b.type in WRITTEN_BY_MODEL]
