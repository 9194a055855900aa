"""The `httpx` transport: wire.py's JSON posted with httpx.AsyncClient over HTTP/1.1 keep-alive.

httpx and h11 handle the protocol: TLS, proxies from the environment, gzip,
chunked answers, servers that close after each answer. No client is made
per request: each event loop gets `shard_count(concurrency)` long-lived
clients of a few connections each (see shards.py for why).

Trade-off: about 0.6-0.7 ms of client CPU per call goes to httpx, httpcore,
h11 and anyio, against ~0.2 ms for aiohttp's C parser; kept selectable as the
pure-Python fallback. A request whose connection closes before any byte of an
answer arrives (a keep-alive connection the server dropped just as it was
reused) is sent once more at once, without counting as an attempt; a server
that hangs up on every request therefore sees each attempt twice.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from retrolean.tools.generate.completion import ModelConfig
from retrolean.tools.generate.shards import IDLE_EXPIRY_S, SHARD_CONNECTIONS, Shards, shard_count
from retrolean.tools.generate.wire import WireTransport, answer_json

_DISCONNECTED = "without sending a response"  # httpcore's words for "closed before answering"


class HttpxTransport(WireTransport):
    """Chat requests posted with sharded httpx.AsyncClients (see module docstring)."""

    name = "httpx"

    def __init__(self, config: ModelConfig) -> None:
        self._config = config
        self._base = config.base_url.rstrip("/") + "/"
        self._urls: dict[str, httpx.URL] = {}
        headers = {"Authorization": f"Bearer {config.api_key.get_secret_value()}",
                   "Accept": "application/json", "User-Agent": "retrolean"}
        limits = httpx.Limits(max_connections=None,
                              max_keepalive_connections=SHARD_CONNECTIONS,
                              keepalive_expiry=IDLE_EXPIRY_S)
        self._shards = Shards([
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

    async def _request(self, method: str, path: str, payload: Any,
                       timeout_s: float) -> tuple[Any, Any]:
        url = self._url(path)
        body = None if payload is None else json.dumps(payload).encode("utf-8")
        index = self._shards.take()
        try:
            async with asyncio.timeout(timeout_s):
                answer = await self._send(self._shards.clients[index], method, url, body,
                                          timeout_s)
        finally:
            self._shards.give_back(index)
        return answer_json(answer.status_code, answer.content, answer.headers,
                           base_url=self._config.base_url, model=self._config.model), \
            answer.headers

    async def aclose(self) -> None:
        """Close the clients."""
        await self._shards.aclose()
