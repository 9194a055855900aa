"""The OpenAI chat-completions wire format: the request body we send, the answer we read.

`request_body` writes the JSON a chat request carries and `read_answer` turns
the JSON of an answer into an `Answer` (choices with text, R1 reasoning,
finish reason and token logprobs; token usage). `answer_json` is what an HTTP
transport does with the raw bytes: the parsed body of a 2xx, or the
`ModelCallError` that an error status stands for.

Trade-off: the HTTP transports (aiohttp, httpx) use these plain functions
instead of building and reading LangChain objects per call, which saves
about half the client's CPU per request. The format is the documented,
stable one, and the functions mirror exactly what langchain-openai's
`ChatOpenAI` sends and reads for plain text messages (same body, same
fields kept, same faults turned into errors), so the `sdk` transport, which
goes through ChatOpenAI, gives the same `Completion` for the same answer;
tests/test_generate_client.py compares the two. Tool calls, images and
streaming are not part of this format on purpose: no skill uses them.

Example:
    request_body(config, [ChatMessage(role="user", content="hi")],
                 {"temperature": 0.6, "max_tokens": 64, "n": 1})
    -> {"model": "r1", "stream": False, "temperature": 0.6, "n": 1,
        "messages": [{"content": "hi", "role": "user"}], "max_tokens": 64}
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from retrolean.tools.generate.completion import (
    ChatMessage,
    Choice,
    ModelConfig,
    TokenLogprob,
    TopLogprob,
)
from retrolean.tools.generate.faults import server_message, status_error

_O_SERIES = re.compile(r"^o\d")  # OpenAI's o1/o3/...: system messages go as "developer"


@dataclass
class Answer:
    """What one chat answer holds, before ModelClient adds its accounting; `headers` are the
    HTTP headers it came with (any mapping; the client reads the rate-limit ones)."""

    choices: list[Choice]
    tokens_in: int = 0
    tokens_out: int = 0
    headers: Any = None


def request_body(config: ModelConfig, messages: Sequence[ChatMessage],
                 params: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a chat request: model, messages, sampling parameters, extra fields.

    `params` holds temperature, max_tokens, n and optionally logprobs/top_logprobs;
    max_tokens is sent under `config.max_tokens_field`.
    """
    body: dict[str, Any] = {"model": config.model, "stream": False}
    for name, value in params.items():
        if name == "max_tokens":
            body[config.max_tokens_field] = value
        elif value is not None:
            body[name] = value
    developer = bool(_O_SERIES.match(config.model))
    body["messages"] = [
        {"content": m.content,
         "role": "developer" if developer and m.role == "system" else m.role}
        for m in messages]
    body.update(config.extra_body)
    return body


def token_logprobs(raw: Any) -> list[TokenLogprob] | None:
    """The per-token logprobs of a choice's `logprobs` object, or None if it has none.

    Example: token_logprobs({"content": [{"token": "Yes", "logprob": -0.1,
             "top_logprobs": [{"token": "No", "logprob": -2.4}]}]})
             -> [TokenLogprob(token="Yes", logprob=-0.1, top=[TopLogprob("No", -2.4)])]
    """
    if not raw or raw.get("content") is None:
        return None
    return [TokenLogprob(token=item["token"], logprob=item["logprob"],
                         top=[TopLogprob(token=t["token"], logprob=t["logprob"])
                              for t in item.get("top_logprobs") or []])
            for item in raw["content"]]


def reasoning_of(message: Mapping[str, Any]) -> str:
    """The reasoning a server sent beside the answer (`reasoning_content` or `reasoning`).

    Example: reasoning_of({"content": "4", "reasoning_content": "2 + 2"}) -> "2 + 2"
    """
    for name in ("reasoning_content", "reasoning"):
        value = message.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def _text(content: Any) -> str:
    """A message's content as text: a string, or the text parts of a list of parts.

    Example: _text([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]) -> "ab"
    """
    if isinstance(content, list):
        return "".join(str(part.get("text") or "") for part in content
                       if isinstance(part, dict) and part.get("type", "text") == "text")
    return str(content or "")


def read_answer(data: Any) -> Answer:
    """The choices and token usage of a chat-completion JSON object.

    Raises ValueError, KeyError or TypeError (faults.classify: "protocol") for
    a body that is not one: not an object, an `error` field, no `choices`.
    """
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    if data.get("error"):
        raise ValueError(data["error"])
    if "choices" not in data:
        raise KeyError(f"Response missing 'choices' key: {data.keys()}")
    raw_choices = data["choices"]
    if raw_choices is None:
        raise TypeError("Received response with null value for 'choices'")
    choices = []
    for raw in raw_choices:
        message = raw["message"]
        choices.append(Choice(text=_text(message.get("content")),
                              reasoning=reasoning_of(message),
                              finish_reason=raw.get("finish_reason"),
                              logprobs=token_logprobs(raw.get("logprobs"))))
    usage = data.get("usage")
    if not usage or not raw_choices or raw_choices[0]["message"].get("role") != "assistant":
        return Answer(choices)
    return Answer(choices, tokens_in=int(usage.get("prompt_tokens") or 0),
                  tokens_out=int(usage.get("completion_tokens") or 0))


def answer_json(status: int, raw: bytes, headers: Any, *, base_url: str, model: str) -> Any:
    """The parsed JSON of a 2xx answer; for an error status, raises its ModelCallError.

    A 2xx body that is not JSON raises ValueError (faults.classify: "protocol").
    """
    if status >= 400:
        text = raw.decode("utf-8", "replace")
        try:
            said = server_message(json.loads(raw), text)
        except ValueError:
            said = server_message(None, text)
        raise status_error(status, said, headers=headers, base_url=base_url, model=model)
    return json.loads(raw)


class WireTransport(ABC):
    """The OpenAI endpoints over a raw JSON request function; subclasses supply `_request`.

    `_request(method, path, payload, timeout_s)` sends one request and returns the decoded
    JSON body and the answer's headers (raising the library's errors or a ModelCallError
    for an error status).
    """

    _config: ModelConfig

    @abstractmethod
    async def _request(self, method: str, path: str, payload: Any,
                       timeout_s: float) -> tuple[Any, Any]:
        """Send one request; the decoded JSON body and the headers."""

    async def generate(self, messages: list[ChatMessage], params: dict[str, Any],
                       timeout_s: float) -> Answer:
        """One chat completion."""
        body = request_body(self._config, messages, params)
        data, headers = await self._request("POST", "chat/completions", body, timeout_s)
        answer = read_answer(data)
        answer.headers = headers
        return answer

    async def list_models(self, timeout_s: float) -> list[str]:
        """The model names the endpoint lists."""
        body, _headers = await self._request("GET", "models", None, timeout_s)
        return sorted(str(model["id"]) for model in body.get("data", []))
