"""A lean keep-alive HTTP/1.1 client over asyncio streams, for plain-http model servers.

Local servers (vLLM, Ollama, llama.cpp, the tests' fake) answer in a few
milliseconds when a batch is cheap, and then the client's own CPU per request
decides the throughput: the OpenAI SDK with httpx costs about 2 ms of CPU per
call, this client about 0.1 ms. It speaks just what a JSON API needs: requests
with a Content-Length body; answers framed by Content-Length, chunked transfer
or end of stream (gzip/deflate decoded if a server compresses anyway);
keep-alive with idle expiry and one silent reconnect when a reused connection
turns out closed.

Trade-offs: plain http only (no TLS, no proxies, no redirects, no HTTP/2) —
`https://` endpoints and proxied hosts go through the OpenAI SDK instead (see
transport.py). No connection limit of its own: the caller bounds concurrency,
so the pool holds at most that many connections.

Example:
    pool = Http11Pool("http://127.0.0.1:8000/v1")
    answer = await pool.request("POST", "/chat/completions", {"model": "r1", ...}, headers={})
    answer.status, answer.json()
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from typing import Any

_IDLE_EXPIRY_S = 4.0  # below the 5 s keep-alive timeout of uvicorn (vLLM) and others


class HttpProtocolError(ValueError):
    """The server's answer is not well-formed HTTP/1.1."""


@dataclass
class HttpAnswer:
    """Status, lower-cased headers and the (decoded) body of one answer."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (raises json.JSONDecodeError)."""
        return json.loads(self.body)


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = field(default_factory=time.monotonic)

    def close(self) -> None:
        self.writer.close()


class Http11Pool:
    """Keep-alive connections to the host of one base URL; `request` sends under its path."""

    def __init__(self, base_url: str, *, user_agent: str = "retrolean") -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"Http11Pool needs an http:// URL with a host, got {base_url!r}")
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.prefix = parsed.path.rstrip("/")
        self._host_header = self.host if self.port == 80 else f"{self.host}:{self.port}"
        self._user_agent = user_agent
        self._idle: list[_Connection] = []

    async def request(self, method: str, path: str, payload: Any | None = None, *,
                      headers: dict[str, str] | None = None) -> HttpAnswer:
        """Send one request (JSON `payload` if given) and read the whole answer.

        Raises OSError for connection failures, asyncio.IncompleteReadError when
        the server hangs up mid-answer, HttpProtocolError for garbled answers.
        Wrap in `asyncio.timeout` to bound it.
        """
        data = b"" if payload is None else json.dumps(payload).encode("utf-8")
        lines = [f"{method} {self.prefix}{path} HTTP/1.1", f"Host: {self._host_header}",
                 f"User-Agent: {self._user_agent}", "Accept: application/json",
                 "Accept-Encoding: identity", "Connection: keep-alive"]
        if payload is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        message = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data
        connection, reused = await self._checkout()
        try:
            try:
                connection.writer.write(message)
                head = await connection.reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                if not reused or (isinstance(error, asyncio.IncompleteReadError)
                                  and error.partial):
                    raise
                connection.close()  # the server closed it while idle: one fresh try
                connection = await self._connect()
                connection.writer.write(message)
                head = await connection.reader.readuntil(b"\r\n\r\n")
            answer, keep_alive = await _read_answer(head, connection.reader)
        except BaseException:
            connection.close()
            raise
        if keep_alive:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()
        return answer

    async def _checkout(self) -> tuple[_Connection, bool]:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if now - connection.idle_since < _IDLE_EXPIRY_S and \
                    not connection.reader.at_eof():
                return connection, True
            connection.close()
        return await self._connect(), False

    async def _connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=2**20)
        return _Connection(reader, writer)

    async def aclose(self) -> None:
        """Close every idle connection."""
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


async def _read_answer(head: bytes, reader: asyncio.StreamReader) -> tuple[HttpAnswer, bool]:
    """Parse the status line and headers in `head`, then read the body; (answer, keep-alive)."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise HttpProtocolError(f"not an HTTP status line: {lines[0][:80]!r}")
    version, status = parts[0], int(parts[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            name = name.strip().lower()
            headers[name] = f"{headers[name]}, {value.strip()}" if name in headers \
                else value.strip()
    if 100 <= status < 200:
        return await _read_answer(await reader.readuntil(b"\r\n\r\n"), reader)
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection and (version != "HTTP/1.0"
                                                or "keep-alive" in connection)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif status in (204, 304):
        body = b""
    else:
        body = await reader.read()
        keep_alive = False
    encoding = headers.get("content-encoding", "").lower()
    if encoding in ("gzip", "deflate"):
        body = zlib.decompress(body, 32 + zlib.MAX_WBITS)  # gzip or zlib framing, detected
    return HttpAnswer(status, headers, body), keep_alive


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError as error:
            raise HttpProtocolError(f"bad chunk size {size_line[:40]!r}") from error
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailer fields, ignored
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
