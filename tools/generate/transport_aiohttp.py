"""The `aiohttp` transport (the default): wire.py's JSON posted with one aiohttp.ClientSession.

aiohttp parses HTTP in C and handles what real endpoints send: gzip and
deflate, chunked answers, HTTP/1.0 answers delimited by closing the
connection, redirects, TLS, HTTP and HTTPS proxies. Each event loop gets one
session whose connector holds up to `concurrency` keep-alive connections;
idle ones expire after 4 s, under the 5 s keep-alive timeout of uvicorn
(vLLM) and others. Measured with bench/model_throughput.py it costs about
0.2 ms of client CPU per request, against 0.6-0.7 ms for httpx.

Trade-offs: aiohttp's `trust_env` would look up netrc and the proxy
variables in a worker thread on every request, so the proxy for the base URL
is read from the environment once, when the session opens (a change to
HTTP(S)_PROXY/NO_PROXY takes effect at the next event loop). Cookies are not
kept (a dummy jar): an inference API has no session. A request whose
connection closes before any byte of an answer arrives (a keep-alive
connection the server dropped just as it was reused) is sent once more at
once, without counting as an attempt, as the httpx transport does. A session
left open when its event loop ends makes aiohttp log "Unclosed client
session": call `ModelClient.aclose()` (the sync wrappers do).
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import aiohttp
from yarl import URL

from retrolean.tools.generate.completion import ModelConfig
from retrolean.tools.generate.shards import IDLE_EXPIRY_S
from retrolean.tools.generate.wire import WireTransport, answer_json

_JSON = {"Content-Type": "application/json"}


def env_proxy(url: URL) -> URL | None:
    """The proxy that HTTP(S)_PROXY / NO_PROXY give for `url`, or None.

    Example: with HTTPS_PROXY=http://proxy:3128, env_proxy(URL("https://api.x.com/v1"))
             -> URL("http://proxy:3128"); with NO_PROXY=api.x.com -> None
    """
    if url.host is None or urllib.request.proxy_bypass(url.host):
        return None
    proxy = urllib.request.getproxies().get(url.scheme or "")
    return URL(proxy) if proxy else None


class AiohttpTransport(WireTransport):
    """Chat requests on one aiohttp.ClientSession per event loop (see module docstring)."""

    name = "aiohttp"

    def __init__(self, config: ModelConfig) -> None:
        self._config = config
        self._base = config.base_url.rstrip("/") + "/"
        self._urls: dict[str, URL] = {}
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}
        try:
            self._proxy = env_proxy(URL(self._base))
        except ValueError:  # a malformed base URL fails on the first request, classified
            self._proxy = None
        connector = aiohttp.TCPConnector(limit=config.concurrency, limit_per_host=0,
                                         keepalive_timeout=IDLE_EXPIRY_S)
        headers = {"Authorization": f"Bearer {config.api_key.get_secret_value()}",
                   "Accept": "application/json", "User-Agent": "retrolean"}
        self._session = aiohttp.ClientSession(
            connector=connector, headers=headers, cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=None), trust_env=False)

    def _url(self, path: str) -> URL:
        """The absolute URL of an API path, parsed once."""
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = URL(self._base + path)
        return url

    def _timeout(self, timeout_s: float) -> aiohttp.ClientTimeout:
        """aiohttp's own limit for a whole exchange (one per value, made once): its timer
        costs less per request than wrapping each in asyncio.timeout."""
        timeout = self._timeouts.get(timeout_s)
        if timeout is None:
            timeout = self._timeouts[timeout_s] = aiohttp.ClientTimeout(total=timeout_s)
        return timeout

    async def _request(self, method: str, path: str, payload: Any,
                       timeout_s: float) -> tuple[Any, Any]:
        url = self._url(path)
        body = None if payload is None else json.dumps(payload).encode("utf-8")
        headers = _JSON if body is not None else None
        for last in (False, True):
            try:
                async with self._session.request(method, url, data=body, headers=headers,
                                                 proxy=self._proxy,
                                                 timeout=self._timeout(timeout_s)) as answer:
                    raw = await answer.read()
                    break
            except aiohttp.ServerDisconnectedError:
                # closed before answering: a keep-alive connection dropped as it was reused
                if last:
                    raise
        return answer_json(answer.status, raw, answer.headers, base_url=self._config.base_url,
                           model=self._config.model), answer.headers

    async def aclose(self) -> None:
        """Close the session and its connections."""
        await self._session.close()
