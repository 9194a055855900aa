"""How a chat request reaches the endpoint: ChatOpenAI's own SDK path, or a lean HTTP/1.1 path.

Both transports use langchain-openai's `ChatOpenAI` to write the request body
(messages, parameters, the name of the max-tokens field) and to read the
answer into a `ChatResult` (choices, usage metadata, logprobs); a small
subclass also keeps R1 reasoning (`reasoning_content` / `reasoning`), which
`ChatOpenAI` drops. They differ in how the bytes travel:

- `SdkTransport`: `ChatOpenAI.agenerate` through the OpenAI SDK and httpx2:
  TLS, proxies from the environment, LangChain callbacks; about 2 ms of
  client CPU per call. Connection pools are sharded (8 connections each)
  because the pool scans every connection on every request.
- `DirectTransport`: the same body posted by `Http11Pool`: plain http only;
  about 0.2 ms of CPU per call, which is what lets one core keep 64 requests
  in flight against a fast local server.

`choose_transport` resolves `config.transport`: "auto" takes the direct path
for http:// URLs that no proxy variable applies to (local vLLM, Ollama,
llama.cpp servers, where throughput is the client's to lose) and the SDK path
otherwise (https APIs, where latency dwarfs the client and the SDK's
robustness matters more).

Trade-off: the direct path calls two protected ChatOpenAI methods
(`_get_request_payload`, `_create_chat_result`) so that both paths send and
read exactly the same JSON; a langchain-openai upgrade that renames them
breaks the direct path loudly (tests cover both paths), not silently.
"""

from __future__ import annotations

import asyncio
import itertools
import urllib.parse
import urllib.request
from typing import Any, Literal, Protocol

import openai
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI

from tools.generate.completion import ModelConfig
from tools.generate.faults import server_message, status_error
from tools.generate.http11 import Http11Pool

TransportName = Literal["sdk", "direct"]
_SHARD_CONNECTIONS = 8


class ReasoningChatOpenAI(ChatOpenAI):
    """ChatOpenAI that keeps each choice's reasoning, logprobs and finish reason in its
    generation_info, and can send `max_tokens` (what non-OpenAI servers read) instead of
    `max_completion_tokens`."""

    max_tokens_field: str = "max_tokens"

    def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None,
                             **kwargs: Any) -> dict:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        if self.max_tokens_field == "max_tokens" and "max_completion_tokens" in payload:
            payload["max_tokens"] = payload.pop("max_completion_tokens")
        return payload

    def _create_chat_result(self, response: Any, generation_info: dict | None = None
                            ) -> ChatResult:
        result = super()._create_chat_result(response, generation_info)
        raw_choices = (response.get("choices") if isinstance(response, dict)
                       else getattr(response, "choices", None)) or []
        for generation, raw in zip(result.generations, raw_choices, strict=False):
            if not isinstance(raw, dict):
                raw = raw.model_dump()
            message = raw.get("message") or {}
            reasoning = next((message[name] for name in ("reasoning_content", "reasoning")
                              if isinstance(message.get(name), str) and message[name]), "")
            generation.generation_info = {**(generation.generation_info or {}),
                                          "reasoning": reasoning,
                                          "logprobs": raw.get("logprobs"),
                                          "finish_reason": raw.get("finish_reason")}
        return result


def build_chat(config: ModelConfig, http_async_client: Any = None) -> ReasoningChatOpenAI:
    """The ChatOpenAI for a config, with its own retries off."""
    return ReasoningChatOpenAI(
        base_url=config.base_url, api_key=config.api_key, model=config.model,
        timeout=config.timeout_s, max_retries=0, http_async_client=http_async_client,
        use_responses_api=False, extra_body=config.extra_body or None,
        max_tokens_field=config.max_tokens_field)


def choose_transport(config: ModelConfig) -> TransportName:
    """The transport a config gets: its own choice, or for "auto" direct on unproxied http://.

    Example: choose_transport(ModelConfig(base_url="http://localhost:8000/v1", model="m"))
             -> "direct"; with "https://api.deepseek.com" -> "sdk"
    """
    if config.transport != "auto":
        return config.transport
    parsed = urllib.parse.urlsplit(config.base_url)
    if parsed.scheme != "http" or not parsed.hostname:
        return "sdk"
    proxies = urllib.request.getproxies_environment()
    if (proxies.get("http") or proxies.get("all")) and \
            not urllib.request.proxy_bypass_environment(parsed.hostname, proxies):
        return "sdk"
    return "direct"


class Transport(Protocol):
    """Sends chat requests and model listings for one event loop."""

    name: TransportName

    async def generate(self, messages: list[BaseMessage], params: dict[str, Any],
                       timeout_s: float) -> ChatResult:
        """One chat completion; raises the transport's own errors (see faults.classify)."""
        ...

    async def list_models(self, timeout_s: float) -> list[str]:
        """The model names the endpoint lists."""
        ...

    async def aclose(self) -> None:
        """Close its connections."""
        ...


class SdkTransport:
    """ChatOpenAI's own path (OpenAI SDK over httpx2), on sharded connection pools."""

    name: TransportName = "sdk"

    def __init__(self, config: ModelConfig) -> None:
        count = -(-config.concurrency // _SHARD_CONNECTIONS)
        self._https = [openai.DefaultAsyncHttpxClient(timeout=config.timeout_s)
                       for _ in range(count)]
        self._chats = [build_chat(config, http) for http in self._https]
        self._turn = itertools.cycle(self._chats)

    async def generate(self, messages: list[BaseMessage], params: dict[str, Any],
                       timeout_s: float) -> ChatResult:
        result = await next(self._turn).agenerate([messages], timeout=timeout_s, **params)
        return ChatResult(generations=result.generations[0], llm_output=result.llm_output)

    async def list_models(self, timeout_s: float) -> list[str]:
        root = self._chats[0].root_async_client.with_options(timeout=timeout_s)
        page = await root.models.list()
        return sorted(model.id for model in page.data)

    async def aclose(self) -> None:
        for http in self._https:
            await http.aclose()


class DirectTransport:
    """The same requests as SdkTransport, posted by the lean HTTP/1.1 client."""

    name: TransportName = "direct"

    def __init__(self, config: ModelConfig) -> None:
        self._config = config
        self._chat = build_chat(config)
        self._pool = Http11Pool(config.base_url)
        self._headers = {"Authorization": f"Bearer {config.api_key.get_secret_value()}"}

    async def _request(self, method: str, path: str, payload: Any, timeout_s: float) -> Any:
        async with asyncio.timeout(timeout_s):
            answer = await self._pool.request(method, path, payload, headers=self._headers)
        if answer.status >= 400:
            try:
                said = server_message(answer.json(), answer.body.decode("utf-8", "replace"))
            except ValueError:
                said = server_message(None, answer.body.decode("utf-8", "replace"))
            raise status_error(answer.status, said, headers=answer.headers,
                               base_url=self._config.base_url, model=self._config.model)
        return answer.json()

    async def generate(self, messages: list[BaseMessage], params: dict[str, Any],
                       timeout_s: float) -> ChatResult:
        payload = self._chat._get_request_payload(messages, **params)
        payload.update(payload.pop("extra_body", None) or {})
        body = await self._request("POST", "/chat/completions", payload, timeout_s)
        return self._chat._create_chat_result(body)

    async def list_models(self, timeout_s: float) -> list[str]:
        body = await self._request("GET", "/models", None, timeout_s)
        return sorted(str(model["id"]) for model in body.get("data", []))

    async def aclose(self) -> None:
        await self._pool.aclose()


def open_transport(config: ModelConfig) -> Transport:
    """A new transport for the running event loop, as `choose_transport` decides."""
    if choose_transport(config) == "direct":
        return DirectTransport(config)
    return SdkTransport(config)
