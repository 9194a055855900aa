"""A scripted OpenAI-compatible HTTP server on loopback, for tests and benchmarks.

`FakeOpenAI` is a real HTTP/1.1 server (asyncio, keep-alive, on 127.0.0.1 and a
free port) running in a background thread. It serves `GET /v1/models` and
`POST /v1/chat/completions` in the OpenAI wire format (plus `GET /fake/stats`:
the server process's CPU seconds and in-flight maximum, for benchmarks) and answers from a
script: a queue of `Reply` objects (or functions of the request that return
one), then a fallback function once the queue is empty. Every request is
recorded for assertions. `Reply` carries the scripted faults: an HTTP status
with headers (429 with Retry-After, 500), a delay past the client's timeout, a
dropped connection, a body that is not JSON; and the framings real servers
use: chunked transfer, a gzip-compressed body, an HTTP/1.0 answer delimited by
closing the connection, or hanging up after an answer that promised keep-alive.
With `rate_limit=RateLimit(...)` it also limits requests (and tokens) the way
OpenAI does — a bucket per limit refilling continuously over `window_s` — and
says so on every answer (`x-ratelimit-{limit,remaining,reset}-{requests,tokens}`),
answering 429 with `retry-after-ms` and `Retry-After` once a bucket is empty.
Each answered request records the `usage` it reported.

Trade-off: the HTTP parser is the minimum the OpenAI SDK needs (Content-Length
bodies, keep-alive, no chunked uploads, no streaming answers); in exchange the
server is one small file, has no dependency, and one core serves thousands of
requests per second, so a benchmark measures the client, not the server.

Example:
    with FakeOpenAI() as server:
        server.enqueue(Reply.rate_limited(retry_after="0.2"), Reply.think("hmm", "42"))
        ...  # point a client at server.url ("http://127.0.0.1:PORT/v1")
        assert len(server.chat_requests) == 2
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gzip
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Fault = Literal["drop", "malformed"]
TopLogprobs = list[tuple[str, float]]


@dataclass
class RecordedRequest:
    """One request as the server saw it: method, path, headers (lower-cased) and JSON body;
    `status` and `usage` are those of the answer it got (usage only for a 200)."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    received_at: float
    status: int | None = None
    usage: dict[str, int] | None = None


@dataclass
class RateLimit:
    """Limits the server enforces and announces, as OpenAI's: `requests` (and `tokens`,
    counted as prompt characters / 4 + max_tokens at admission) per `window_s`, each a
    bucket refilling continuously."""

    requests: int
    tokens: int | None = None
    window_s: float = 60.0


class _Buckets:
    """The server side of a RateLimit: levels, refill, and the headers that describe them."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self.levels = {"requests": float(limit.requests)}
        if limit.tokens is not None:
            self.levels["tokens"] = float(limit.tokens)
        self.updated = time.monotonic()

    def _capacity(self, kind: str) -> float:
        return float(self.limit.requests if kind == "requests" else self.limit.tokens or 0)

    def admit(self, cost_tokens: int) -> tuple[bool, dict[str, str]]:
        """Whether a request may be served now (taking its share), and the headers to send."""
        now = time.monotonic()
        for kind, level in self.levels.items():
            capacity = self._capacity(kind)
            self.levels[kind] = min(capacity, level + (now - self.updated) * capacity
                                    / self.limit.window_s)
        self.updated = now
        costs = {"requests": 1.0, "tokens": float(cost_tokens)}
        short = [k for k in self.levels if self.levels[k] < min(costs[k], self._capacity(k))]
        if not short:
            for kind in self.levels:
                self.levels[kind] -= costs[kind]
        headers: dict[str, str] = {}
        for kind, level in self.levels.items():
            capacity = self._capacity(kind)
            rate = capacity / self.limit.window_s
            headers[f"x-ratelimit-limit-{kind}"] = str(int(capacity))
            headers[f"x-ratelimit-remaining-{kind}"] = str(max(0, int(level)))
            headers[f"x-ratelimit-reset-{kind}"] = f"{(capacity - max(level, 0.0)) / rate:.3f}s"
        if short:
            wait = max((min(costs[k], self._capacity(k)) - self.levels[k])
                       / (self._capacity(k) / self.limit.window_s) for k in short)
            headers["retry-after-ms"] = str(max(1, math.ceil(wait * 1000)))
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return not short, headers


@dataclass
class Reply:
    """One scripted answer: content per choice, or a status/fault, after an optional delay."""

    content: str | list[str] | None = "ok"
    reasoning_content: str | None = None
    reasoning_field: str = "reasoning_content"  # vLLM >= 0.10 and OpenRouter say "reasoning"
    finish_reason: str = "stop"
    logprobs: list[tuple[str, TopLogprobs]] | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error_message: str = ""
    delay_s: float = 0.0
    fault: Fault | None = None
    chunked: bool = False
    gzip: bool = False
    http10: bool = False
    hang_up_after: bool = False

    @classmethod
    def text(cls, content: str, *, reasoning_content: str | None = None,
             finish_reason: str = "stop") -> Reply:
        """A plain answer, optionally with the reasoning in a separate `reasoning_content`."""
        return cls(content=content, reasoning_content=reasoning_content,
                   finish_reason=finish_reason)

    @classmethod
    def think(cls, reasoning: str, answer: str) -> Reply:
        """An R1-style answer: `<think>reasoning</think>` then the answer."""
        return cls(content=f"<think>\n{reasoning}\n</think>\n\n{answer}")

    @classmethod
    def fenced(cls, language: str, code: str, *, prose: str = "Here it is.",
               reasoning: str = "Let me write it.") -> Reply:
        """An R1-style answer holding one fenced code block of `language`."""
        return cls.think(reasoning, f"{prose}\n\n```{language}\n{code}\n```\n")

    @classmethod
    def json_in_prose(cls, obj: Any, *, reasoning: str = "Some thought.") -> Reply:
        """An R1-style answer with a JSON value wrapped in prose."""
        return cls.think(reasoning, f"Sure! The result is {json.dumps(obj)} as requested.")

    @classmethod
    def refusal(cls) -> Reply:
        """A refusal, as a model says it."""
        return cls.think("This request seems odd.", "I'm sorry, but I can't help with that.")

    @classmethod
    def truncated(cls, reasoning: str = "Let me think about this at great length") -> Reply:
        """Output cut off by max_tokens inside the think block."""
        return cls(content=f"<think>\n{reasoning}", finish_reason="length")

    @classmethod
    def rate_limited(cls, retry_after: str | None = "1") -> Reply:
        """HTTP 429, with a Retry-After header (seconds or HTTP-date) unless None."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        return cls(status=429, headers=headers, error_message="Rate limit reached")

    @classmethod
    def server_error(cls, status: int = 500) -> Reply:
        """An HTTP 5xx answer."""
        return cls(status=status, error_message="The server had an error")

    @classmethod
    def slow(cls, delay_s: float, content: str = "ok") -> Reply:
        """An answer that arrives after `delay_s` seconds (past the client timeout, if set so)."""
        return cls(content=content, delay_s=delay_s)

    @classmethod
    def dropped(cls) -> Reply:
        """Close the connection without answering."""
        return cls(fault="drop")

    @classmethod
    def malformed(cls) -> Reply:
        """HTTP 200 with a body that is not JSON."""
        return cls(fault="malformed")

    @classmethod
    def yes_no(cls, p_yes: float, *, answer: str | None = None,
               reasoning: str | None = "Checking.") -> Reply:
        """A judge answer whose first answer token has top logprobs giving p(yes) = `p_yes`.

        The alternatives list both ` Yes`/`yes` and ` No` variants, as tokenizers do.
        """
        word = answer or ("Yes" if p_yes >= 0.5 else "No")
        p_no = 1.0 - p_yes
        top = [(" Yes", 0.7 * p_yes), ("yes", 0.3 * p_yes), (" No", 0.8 * p_no),
               ("NO", 0.2 * p_no)]
        top_logprobs = [(tok, math.log(p)) for tok, p in top if p > 0]
        top_logprobs.sort(key=lambda pair: -pair[1])
        tokens: list[tuple[str, TopLogprobs]] = []
        content = word
        if reasoning is not None:
            content = f"<think>\n{reasoning}\n</think>\n\n{word}"
            tokens += [("<think>", [("<think>", 0.0)]), ("\n", [("\n", 0.0)]),
                       (reasoning, [(reasoning, 0.0)]), ("\n", [("\n", 0.0)]),
                       ("</think>", [("</think>", 0.0)]), ("\n\n", [("\n\n", 0.0)])]
        tokens.append((word, top_logprobs))
        return cls(content=content, logprobs=tokens)


Script = Reply | Callable[[RecordedRequest], Reply]


def _default_fallback(request: RecordedRequest) -> Reply:
    return Reply.text("ok")


def _token_count(text: str) -> int:
    return max(1, len(text.split())) if text else 0


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable"}


class FakeOpenAI:
    """The scripted server; start it with `start()` or a `with` block, point clients at `url`.

    `latency_s` delays every chat answer (on top of a reply's own delay);
    `api_key`, when set, makes requests without `Authorization: Bearer <key>`
    fail with 401; `logprobs_supported=False` makes requests asking for
    logprobs fail with 400, as DeepSeek's R1 endpoint does; `rate_limit` limits
    and announces the rate (see RateLimit; `rate_limited` counts its 429s).
    """

    def __init__(self, *, models: tuple[str, ...] = ("fake-r1",), latency_s: float = 0.0,
                 api_key: str | None = None, logprobs_supported: bool = True,
                 fallback: Callable[[RecordedRequest], Reply] = _default_fallback,
                 record: bool = True, rate_limit: RateLimit | None = None) -> None:
        self.models = models
        self.rate_limit = rate_limit
        self._buckets = _Buckets(rate_limit) if rate_limit is not None else None
        self.rate_limited = 0
        self.latency_s = latency_s
        self.api_key = api_key
        self.logprobs_supported = logprobs_supported
        self.fallback = fallback
        self.record = record
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.connections = 0  # connections accepted since the last reset
        self._script: collections.deque[Script] = collections.deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task] = set()
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL a client uses, ending in /v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        """Start serving in a daemon thread; returns once the port is bound."""
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True,
                                        name="fake-openai")
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake OpenAI server did not start")
        return self

    def stop(self) -> None:
        """Stop the server and its thread, cancelling answers still in flight."""
        if self._loop is None or self._thread is None:
            return
        with contextlib.suppress(RuntimeError):
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._thread.join(10)
        self._loop = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- script and records ----------------------------------------------------------------

    def enqueue(self, *replies: Script) -> None:
        """Append replies (or functions of the request returning one) to the script."""
        with self._lock:
            self._script.extend(replies)

    def reset(self) -> None:
        """Forget the script, the recorded requests and the in-flight maximum."""
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.max_in_flight = self.in_flight
            self.connections = 0
        self.fallback = _default_fallback
        self.latency_s = 0.0
        self.api_key = None
        self.logprobs_supported = True
        self.limit_rate(None)

    def limit_rate(self, limit: RateLimit | None) -> None:
        """Limit (and announce) the rate from now on, with full buckets; None: no limit."""
        with self._lock:
            self.rate_limit = limit
            self._buckets = _Buckets(limit) if limit is not None else None
            self.rate_limited = 0

    @property
    def pending(self) -> int:
        """How many scripted replies are still queued."""
        return len(self._script)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The recorded chat-completion requests, in arrival order."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # --- serving ---------------------------------------------------------------------------

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._server = loop.run_until_complete(
            asyncio.start_server(self._serve_connection, "127.0.0.1", 0, backlog=1024))
        self.port = self._server.sockets[0].getsockname()[1]
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        asyncio.get_running_loop().call_soon(asyncio.get_running_loop().stop)

    async def _serve_connection(self, reader: asyncio.StreamReader,
                                writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        with self._lock:
            self.connections += 1
        try:
            first = await reader.read(1)
            if first == b"\x16":  # a TLS handshake on this plain-HTTP port: refuse as servers do
                writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                             b"Connection: close\r\n\r\n")
                await writer.drain()
                return
            while True:
                request = await self._read_request(reader, first)
                first = b""
                if request is None:
                    return
                keep_open = await self._answer(request, reader, writer)
                if not keep_open:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            if task is not None:
                self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _read_request(self, reader: asyncio.StreamReader,
                            first: bytes = b"") -> RecordedRequest | None:
        try:
            head = first + await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, path, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        raw = await reader.readexactly(length) if length else b""
        body = json.loads(raw) if raw else None
        request = RecordedRequest(method, path, headers, body, time.monotonic())
        if self.record:
            self.requests.append(request)
        return request

    async def _answer(self, request: RecordedRequest, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> bool:
        if self.api_key is not None and \
                request.headers.get("authorization") != f"Bearer {self.api_key}":
            self._write(writer, 401, _error("Incorrect API key provided", "invalid_api_key"))
            return True
        if request.path == "/fake/stats":
            self._write(writer, 200, {"cpu_s": time.process_time(), "in_flight": self.in_flight,
                                      "max_in_flight": self.max_in_flight,
                                      "rate_limited": self.rate_limited})
            return True
        if request.method == "GET" and request.path.rstrip("/").endswith("/models"):
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"}
                    for m in self.models]
            self._write(writer, 200, {"object": "list", "data": data})
            return True
        if request.method != "POST" or not request.path.endswith("/chat/completions"):
            self._write(writer, 404, _error(f"no route {request.method} {request.path}",
                                            "not_found"))
            return True
        return await self._answer_chat(request, reader, writer)

    async def _answer_chat(self, request: RecordedRequest, reader: asyncio.StreamReader,
                           writer: asyncio.StreamWriter) -> bool:
        body = request.body or {}
        limits: dict[str, str] = {}
        with self._lock:
            if self._buckets is not None:  # a limiter answers at once, before any script
                admitted, limits = self._buckets.admit(_cost_tokens(body))
                if not admitted:
                    self.rate_limited += 1
                    request.status = 429
                    self._write(writer, 429, _error("Rate limit reached",
                                                    "rate_limit_exceeded"), limits)
                    return True
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            script = self._script.popleft() if self._script else self.fallback
        try:
            try:
                reply = script if isinstance(script, Reply) else script(request)
            except Exception as exc:  # a broken script shows up as a 500 naming the error
                reply = Reply(status=500, error_message=f"fake server script raised {exc!r}")
            delay = self.latency_s + reply.delay_s
            if delay > 0 and not await _wait_unless_hung_up(reader, delay):
                return False
            if reply.fault == "drop":
                writer.transport.abort()
                return False
            if reply.fault == "malformed":
                self._write_raw(writer, 200, b'{"id": "chatcmpl-broken", "choices": [',
                                "application/json")
                return True
            model = body.get("model", "")
            if self.models and model not in self.models:
                self._write(writer, 404, _error(f"The model `{model}` does not exist.",
                                                "model_not_found"))
                return True
            if body.get("logprobs") and not self.logprobs_supported:
                self._write(writer, 400, _error("logprobs is not supported by this model",
                                                "invalid_request_error"))
                return True
            if reply.status != 200:
                request.status = reply.status
                self._write(writer, reply.status,
                            _error(reply.error_message or "error", str(reply.status)),
                            {**limits, **reply.headers})
                return True
            completion = _completion(body, reply)
            request.status, request.usage = 200, completion["usage"]
            data = json.dumps(completion).encode()
            self._write_raw(writer, 200, data, "application/json", {**limits, **reply.headers},
                            chunked=reply.chunked, gzip_body=reply.gzip, http10=reply.http10)
            if reply.hang_up_after or reply.http10:
                await writer.drain()
                writer.close()
                return False
            return True
        finally:
            with self._lock:
                self.in_flight -= 1

    def _write(self, writer: asyncio.StreamWriter, status: int, payload: dict[str, Any],
               headers: dict[str, str] | None = None) -> None:
        self._write_raw(writer, status, json.dumps(payload).encode(), "application/json",
                        headers)

    @staticmethod
    def _write_raw(writer: asyncio.StreamWriter, status: int, data: bytes, content_type: str,
                   headers: dict[str, str] | None = None, *, chunked: bool = False,
                   gzip_body: bool = False, http10: bool = False) -> None:
        if gzip_body:
            data = gzip.compress(data)
        framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(data)}"
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}",
                 f"Content-Type: {content_type}", framing, "Connection: keep-alive"]
        if http10:  # the body runs to the end of the stream, which the caller then closes
            lines = [f"HTTP/1.0 {status} {_REASONS.get(status, 'Status')}",
                     f"Content-Type: {content_type}"]
        if gzip_body:
            lines.append("Content-Encoding: gzip")
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if chunked and not http10:
            half = len(data) // 2
            data = b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n"
                            for part in (data[:half], data[half:]) if part) + b"0\r\n\r\n"
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)


async def _wait_unless_hung_up(reader: asyncio.StreamReader, delay_s: float) -> bool:
    """Sleep `delay_s`; False as soon as the client hangs up (e.g. it timed out) instead.

    Reading while a request is in flight is safe: HTTP/1.1 clients do not pipeline,
    so the only thing that can arrive is the end of the stream.
    """
    hang_up = asyncio.ensure_future(reader.read(1))
    try:
        done, _ = await asyncio.wait({hang_up}, timeout=delay_s)
    finally:
        if not hang_up.done():
            hang_up.cancel()
            await asyncio.wait({hang_up})  # let the read unwind before the next one starts
    return not done


def _cost_tokens(body: dict[str, Any]) -> int:
    """Tokens a request counts against a limit at admission: prompt characters / 4 +
    max_tokens (the estimate OpenAI-style limiters use, and the client too)."""
    prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    return prompt // 4 + int(body.get("max_tokens") or body.get("max_completion_tokens") or 0)


def _error(message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "code": code}}


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    n = int(body.get("n") or 1)
    contents = reply.content if isinstance(reply.content, list) else [reply.content] * n
    want_logprobs = bool(body.get("logprobs"))
    top_k = int(body.get("top_logprobs") or 0)
    choices = []
    for index, content in enumerate(contents):
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if reply.reasoning_content is not None:
            message[reply.reasoning_field] = reply.reasoning_content
        choices.append({"index": index, "message": message,
                        "logprobs": _logprobs(reply, top_k) if want_logprobs else None,
                        "finish_reason": reply.finish_reason})
    prompt = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
    completion_tokens = sum(_token_count(c) for c in contents)
    completion_tokens += _token_count(reply.reasoning_content or "")
    prompt_tokens = _token_count(prompt)
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", ""), "choices": choices,
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


def _logprobs(reply: Reply, top_k: int) -> dict[str, Any] | None:
    if reply.logprobs is None:
        return None
    content = []
    for token, alternatives in reply.logprobs:
        chosen = next((lp for tok, lp in alternatives if tok == token), alternatives[0][1])
        content.append({"token": token, "logprob": chosen, "bytes": list(token.encode()),
                        "top_logprobs": [{"token": tok, "logprob": lp,
                                          "bytes": list(tok.encode())}
                                         for tok, lp in alternatives[:top_k]]})
    return {"content": content}


def serve_forever(latency_s: float, port_pipe: Any, models: tuple[str, ...] = ("fake-r1",),
                  rate_limit: RateLimit | None = None) -> None:
    """Run a non-recording server in this process until killed; sends its port down the pipe.

    Used by the benchmark to put the server in a process (and core) of its own.
    """
    server = FakeOpenAI(models=models, latency_s=latency_s, record=False,
                        rate_limit=rate_limit).start()
    port_pipe.send(server.port)
    threading.Event().wait()
