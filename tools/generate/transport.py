"""How a chat request reaches the endpoint: posted with httpx, or through the OpenAI SDK.

Both transports use langchain-openai's `ChatOpenAI` to write the request body
(messages, parameters, the name of the max-tokens field) and to read the
answer into a `ChatResult` (choices, usage metadata, logprobs); a small
subclass also keeps R1 reasoning (`reasoning_content` / `reasoning`), which
`ChatOpenAI` drops. They differ in how the bytes travel:

- `DirectTransport` (the default): the body posted with `httpx.AsyncClient`
  over HTTP/1.1 keep-alive: TLS, proxies from the environment, gzip, chunked
  answers, servers that close after each answer — httpx and h11 handle the
  protocol. No client is made per request: each event loop gets a few
  long-lived clients (see below).
- `SdkTransport` (`transport="sdk"`): `ChatOpenAI.agenerate` through the
  OpenAI SDK: LangChain callbacks and the SDK's own request handling, at
  about 2 ms of client CPU per call (the direct path: about 0.8 ms, most of
  it httpx, httpcore, h11 and anyio).

Tuning, measured with bench/model_throughput.py: httpcore's connection pool
scans all its connections (and polls each idle socket) every time a request
is queued or finished, so one pool of 64 connections spends ~10 ms of CPU per
request. Both transports therefore shard: `ceil(concurrency / 4)` clients of
at most 4 keep-alive connections each, and a request goes to the client with
the fewest requests in flight (the caller's semaphore bounds the total, so a
shard never holds more than its share). Idle connections expire after 4 s,
under the 5 s keep-alive timeout of uvicorn (vLLM) and others. Against the
benchmark's fixed 200 ms latency at concurrency 64, the direct path reaches
about 86-88% of the bound on a shared 2-core machine, within a few points of
bare httpx there; the SDK path about 75%.

Trade-offs: the direct path calls two protected ChatOpenAI methods
(`_get_request_payload`, `_create_chat_result`) so that both paths send and
read exactly the same JSON; a langchain-openai upgrade that renames them
breaks it loudly (tests cover both paths), not silently. A request whose
connection closes before any byte of an answer arrives (a keep-alive
connection the server dropped just as it was reused) is sent once more at
once, without counting as an attempt; a server that hangs up on every
request therefore sees each attempt twice.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal, Protocol

import httpx
import openai
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI

from tools.generate.completion import ModelConfig
from tools.generate.faults import server_message, status_error

TransportName = Literal["sdk", "direct"]
SHARD_CONNECTIONS = 4
IDLE_EXPIRY_S = 4.0
_DISCONNECTED = "without sending a response"  # httpcore's words for "closed before answering"


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
    """The transport a config gets: its own choice; "auto" is the direct (httpx) path.

    Example: choose_transport(ModelConfig(base_url="https://api.deepseek.com", model="m"))
             -> "direct"; with transport="sdk" -> "sdk"
    """
    return "direct" if config.transport == "auto" else config.transport


def shard_count(concurrency: int) -> int:
    """How many HTTP clients carry `concurrency` requests, SHARD_CONNECTIONS each.

    Example: shard_count(64) -> 16; shard_count(1) -> 1
    """
    return max(1, -(-concurrency // SHARD_CONNECTIONS))


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


class _Shards:
    """Clients that share the load: each request goes to the one with the fewest in flight."""

    def __init__(self, clients: list[Any]) -> None:
        self.clients = clients
        self._load = [0] * len(clients)

    def take(self) -> int:
        index = min(range(len(self._load)), key=self._load.__getitem__)
        self._load[index] += 1
        return index

    def give_back(self, index: int) -> None:
        self._load[index] -= 1

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


class SdkTransport:
    """ChatOpenAI's own path (OpenAI SDK), on sharded connection pools."""

    name: TransportName = "sdk"

    def __init__(self, config: ModelConfig) -> None:
        https = [openai.DefaultAsyncHttpxClient(timeout=config.timeout_s)
                 for _ in range(shard_count(config.concurrency))]
        self._shards = _Shards(https)
        self._chats = [build_chat(config, http) for http in https]

    async def generate(self, messages: list[BaseMessage], params: dict[str, Any],
                       timeout_s: float) -> ChatResult:
        index = self._shards.take()
        try:
            result = await self._chats[index].agenerate([messages], timeout=timeout_s, **params)
        finally:
            self._shards.give_back(index)
        return ChatResult(generations=result.generations[0], llm_output=result.llm_output)

    async def list_models(self, timeout_s: float) -> list[str]:
        root = self._chats[0].root_async_client.with_options(timeout=timeout_s)
        page = await root.models.list()
        return sorted(model.id for model in page.data)

    async def aclose(self) -> None:
        await self._shards.aclose()


class DirectTransport:
    """The same requests as SdkTransport, posted with httpx.AsyncClient (see module docstring)."""

    name: TransportName = "direct"

    def __init__(self, config: ModelConfig) -> None:
        self._config = config
        self._chat = build_chat(config)
        self._base = config.base_url.rstrip("/") + "/"
        self._urls: dict[str, httpx.URL] = {}
        headers = {"Authorization": f"Bearer {config.api_key.get_secret_value()}",
                   "Accept": "application/json", "User-Agent": "retrolean"}
        limits = httpx.Limits(max_connections=None,
                              max_keepalive_connections=SHARD_CONNECTIONS,
                              keepalive_expiry=IDLE_EXPIRY_S)
        self._shards = _Shards([
            httpx.AsyncClient(headers=headers, limits=limits, timeout=config.timeout_s,
                              http1=True, http2=False, follow_redirects=True, trust_env=True)
            for _ in range(shard_count(config.concurrency))])

    def _url(self, path: str) -> httpx.URL:
        """The absolute URL of an API path, parsed once (raises httpx.InvalidURL)."""
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(self._base + path)
        return url

    async def _send(self, client: httpx.AsyncClient, method: str, url: httpx.URL,
                    body: bytes | None, timeout_s: float) -> httpx.Response:
        headers = {"Content-Type": "application/json"} if body is not None else None
        try:
            return await client.request(method, url, content=body, headers=headers,
                                        timeout=timeout_s)
        except httpx.RemoteProtocolError as error:
            if _DISCONNECTED not in str(error):
                raise
            # closed before answering: a keep-alive connection dropped as it was reused
            return await client.request(method, url, content=body, headers=headers,
                                        timeout=timeout_s)

    async def _request(self, method: str, path: str, payload: Any, timeout_s: float) -> Any:
        url = self._url(path)
        body = None if payload is None else json.dumps(payload).encode("utf-8")
        index = self._shards.take()
        try:
            async with asyncio.timeout(timeout_s):
                answer = await self._send(self._shards.clients[index], method, url, body,
                                          timeout_s)
        finally:
            self._shards.give_back(index)
        if answer.status_code >= 400:
            try:
                said = server_message(answer.json(), answer.text)
            except ValueError:
                said = server_message(None, answer.text)
            raise status_error(answer.status_code, said, headers=answer.headers,
                               base_url=self._config.base_url, model=self._config.model)
        return answer.json()

    async def generate(self, messages: list[BaseMessage], params: dict[str, Any],
                       timeout_s: float) -> ChatResult:
        payload = self._chat._get_request_payload(messages, **params)
        payload.update(payload.pop("extra_body", None) or {})
        body = await self._request("POST", "chat/completions", payload, timeout_s)
        return self._chat._create_chat_result(body)

    async def list_models(self, timeout_s: float) -> list[str]:
        body = await self._request("GET", "models", None, timeout_s)
        return sorted(str(model["id"]) for model in body.get("data", []))

    async def aclose(self) -> None:
        await self._shards.aclose()


def open_transport(config: ModelConfig) -> Transport:
    """A new transport for the running event loop, as `choose_transport` decides."""
    if choose_transport(config) == "direct":
        return DirectTransport(config)
    return SdkTransport(config)
