"""What went wrong with a model call, whether to retry it, and how long to wait first.

`classify` turns whatever aiohttp or httpx raised (the sdk transport translates the
OpenAI SDK's errors into these first, transport_sdk.py) into
one `ModelCallError` carrying a kind, a one-line message that names the likely
fix (what `retrolean doctor` prints), whether a retry can help, and the
server's Retry-After if it sent one. `backoff_s` is the wait before the next
attempt: the server's Retry-After when given (capped), else exponential
backoff with full jitter.

Trade-offs: a body that is not OpenAI JSON is retried like a 5xx (proxies
serve HTML error pages in passing); 4xx other than 408/409/429 are never
retried, because asking again cannot fix a key, a model name or a request.
Retry-After waits get up to 10% jitter on top, so many tasks told "1 s" by
one 429 do not come back in the same millisecond.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
from datetime import UTC, datetime
from typing import Any

import aiohttp
import httpx

from retrolean.tools.generate.completion import FailureKind

_RETRYABLE_KINDS: frozenset[FailureKind] = frozenset(
    {"rate_limited", "server_error", "timeout", "connection", "protocol"})


class ModelCallError(Exception):
    """A model call that failed; `message` is one line naming the problem and its fix."""

    def __init__(self, kind: FailureKind, message: str, *, status: int | None = None,
                 retry_after_s: float | None = None, attempts: int = 1,
                 headers: Any = None) -> None:
        super().__init__(message)
        self.kind: FailureKind = kind
        self.message = message
        self.status = status
        self.retry_after_s = retry_after_s
        self.attempts = attempts
        self.headers = headers  # the error answer's headers (rate limits), when it had any

    @property
    def retryable(self) -> bool:
        """Whether another attempt may succeed."""
        return self.kind in _RETRYABLE_KINDS


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value: delay-seconds or an HTTP-date; None if unusable.

    Fractional seconds are accepted (some servers send them); a date in the past gives 0.
    Example: parse_retry_after("2") -> 2.0
    Example: parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
                               now=datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC)) -> 30.0
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def retry_after_from_headers(headers: Any) -> float | None:
    """The wait a response asks for: `retry-after-ms` (OpenAI's extension) or `Retry-After`."""
    if headers is None:
        return None
    milliseconds = parse_retry_after(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000.0
    return parse_retry_after(headers.get("retry-after"))


def backoff_s(attempt: int, *, base_s: float, max_s: float, retry_after_s: float | None = None,
              retry_after_max_s: float = 120.0, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based).

    Example: backoff_s(3, base_s=1, max_s=30) -> uniform in [0, 4]
    Example: backoff_s(1, base_s=1, max_s=30, retry_after_s=5) -> in [5, 5.5]
    """
    draw = (rng or random).random()
    if retry_after_s is not None:
        wait = min(retry_after_s, retry_after_max_s)
        return wait * (1.0 + 0.1 * draw)
    ceiling = min(max_s, base_s * (2 ** max(0, attempt - 1)))
    return ceiling * draw


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 8:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def server_message(body: Any, fallback: str = "") -> str:
    """The error message in an OpenAI-style error body ({"error": {"message": …}}), one line."""
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return _one_line(str(error["message"]))
        if isinstance(error, str):
            return _one_line(error)
    return _one_line(fallback)


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def status_error(status: int, said: str, *, headers: Any, base_url: str,
                 model: str) -> ModelCallError:
    """The ModelCallError for an HTTP error status; `said` is the server's message."""
    retry_after = retry_after_from_headers(headers)
    if status == 429:
        return ModelCallError("rate_limited", f"rate limited (429) by {base_url}: {said}",
                              status=status, retry_after_s=retry_after, headers=headers)
    if status in (408, 409) or status >= 500:
        return ModelCallError("server_error", f"server error {status} at {base_url}: {said}",
                              status=status, retry_after_s=retry_after, headers=headers)
    if status == 401:
        return ModelCallError("auth", f"401 unauthorized at {base_url}: the API key is missing "
                                      f"or wrong ({said})", status=status)
    if status == 403:
        return ModelCallError("auth", f"403 forbidden at {base_url}: this key may not use "
                                      f"model '{model}' ({said})", status=status)
    if status == 404:
        return ModelCallError("not_found", f"404 at {base_url}: model '{model}' is not served "
                                           f"there, or the URL lacks /v1 ({said})",
                              status=status)
    return ModelCallError("bad_request", f"{status} from {base_url}: {said}", status=status)


def _connection_error(exc: BaseException, base_url: str) -> ModelCallError:
    names = {type(c).__name__ for c in _causes(exc)}
    said = " ".join(str(c) for c in _causes(exc)).lower()
    if names & {"UnsupportedProtocol", "InvalidURL", "InvalidUrlClientError",
                 "NonHttpUrlClientError"}:
        return ModelCallError("bad_url", f"bad base URL '{base_url}': expected something "
                                         "like http://localhost:8000/v1")
    if "ConnectionRefusedError" in names or "refused" in said \
            or "all connection attempts failed" in said:
        return ModelCallError("connection", f"connection refused at {base_url}: is the "
                                            "server running and listening on that port?")
    if names & {"SSLError", "SSLCertVerificationError", "ClientSSLError",
                 "ClientConnectorSSLError", "ClientConnectorCertificateError"}:
        root = next((str(c) for c in reversed(_causes(exc)) if str(c)), "")
        return ModelCallError("connection", f"TLS handshake with {base_url} failed "
                                            f"({_one_line(root, 100)}): is it http rather than "
                                            "https, or a certificate this machine does not "
                                            "trust?")
    if names & {"gaierror"} or any(s in said for s in (
            "name or service not known", "nodename nor servname",
            "temporary failure in name resolution", "getaddrinfo")):
        return ModelCallError("connection", f"cannot resolve the host of {base_url}: check "
                                            "the URL")
    root = next((str(c) for c in reversed(_causes(exc)) if str(c)), "")
    return ModelCallError("connection", f"connection to {base_url} failed: "
                                        f"{_one_line(root) or 'connection dropped'}")


def classify(exc: BaseException, *, base_url: str, model: str,
             timeout_s: float) -> ModelCallError:
    """The ModelCallError for an exception raised while calling the endpoint.

    Understands aiohttp's errors, httpx's, and plain ones (OSError, TimeoutError,
    bad JSON); anything else is a bug and is raised again.
    Every aiohttp error that is not a timeout (connection refused or reset, a
    server that hung up, a body cut short, an answer that is not HTTP) counts
    as a connection failure, as httpx's TransportError does.
    """
    if isinstance(exc, ModelCallError):
        return exc
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return ModelCallError("timeout", f"no answer from {base_url} within {timeout_s:g} s "
                                         "(timeout): raise the timeout or lower concurrency")
    if isinstance(exc, httpx.TransportError | httpx.InvalidURL | aiohttp.ClientError | OSError
                  | asyncio.IncompleteReadError):
        return _connection_error(exc, base_url)
    if isinstance(exc, ValueError | KeyError | TypeError):
        return ModelCallError("protocol", f"the answer from {base_url} is not OpenAI "
                                          f"chat-completion JSON: {_one_line(str(exc))}")
    raise exc
