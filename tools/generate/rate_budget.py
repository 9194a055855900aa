"""Rate limits per endpoint: one budget that every caller of an endpoint asks before sending.

A server's rate limit belongs to the endpoint, not to one request, so every
`ModelClient` of an endpoint (normalized base URL) shares one `RateBudget`:

- after a 429 (or a 503 that says Retry-After) every caller pauses: requests
  in flight finish, but none is sent until the server's Retry-After has
  passed, or, without one, a backoff that doubles with each new burst of
  429s (1 s, 2 s, 4 s … up to 30 s) and resets on the next success — what
  curator does for its workers, per endpoint;
- the `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` headers that
  OpenAI-compatible servers send (OpenAI, vLLM behind a gateway, Groq,
  OpenRouter …) pace callers *before* a 429: each is a bucket that refills
  at the rate the headers imply ((limit − remaining) / reset), every send
  takes one request and the request's estimated tokens (prompt characters /
  4 plus max_tokens) from them, and a caller that finds a bucket empty waits
  until it has refilled enough. Reset times read as Go durations ("1s",
  "6m0s", "20ms"), plain seconds, or epoch seconds.

The state lives in `EndpointRates`: plain, synchronous, thread-safe, clock
injected, no event loop — so it can sit behind any host. `RateBudget` is the
small interface a client uses (`acquire`, `observe`, `release`);
`LocalRateBudget` hosts `EndpointRates` in this process and sleeps with
asyncio. To make a budget cluster-wide (issue 16, Ray), host `EndpointRates`
in one actor per endpoint and give clients a `RateBudget` whose `acquire`
loops on `await actor.delay.remote(tokens)` and sleeps locally, and whose
`observe`/`release` are fire-and-forget `.remote()` calls: every method takes
and returns plain values (ints, floats, a dict of header strings), and all
time arithmetic happens on the host's own clock.

Trade-offs: headers are applied freshest-first by send order (a ticket per
send): an answer to a request sent before the one whose headers were last
applied is stale and ignored, and requests sent after it are subtracted from
what it says remains, so the estimate errs low (a little throughput, never a
429 storm). While what remains is far above what could be sent before the next
answer (twice the requests in flight, plus 16), nothing is held back and the
reset times are not even parsed: at hundreds of answers a second the budget
costs a few microseconds each. The token cost is an estimate; a server that counts otherwise is
caught by its 429s. A paused caller holds its client's concurrency slot
while it sleeps (every caller of the endpoint is paused, so nothing else
could use it), and waits carry up to 10% jitter so callers released together
do not all send in the same millisecond.

Example:
    budget = budget_for("https://api.example.com/v1")
    ticket = await budget.acquire(tokens=2048)
    try:
        status, headers = ...  # send the request
        budget.observe(ticket, status, headers)
    finally:
        budget.release(ticket)
"""

from __future__ import annotations

import asyncio
import functools
import math
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from retrolean.tools.generate.cache import normalize_base_url

_KINDS = ("requests", "tokens")
RATE_HEADERS = tuple(f"x-ratelimit-{what}-{kind}" for kind in _KINDS
                     for what in ("limit", "remaining", "reset"))
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|us|µs|ns|h|m|s)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_EPOCH = 1e9  # a bigger "reset" is a Unix time, not a duration
_JITTER = 0.1
_SLACK = 16  # requests beyond twice those in flight before the headers are read in full


@functools.lru_cache(maxsize=512)
def parse_reset(value: str) -> float | None:
    """Seconds until a rate limit resets, from a header value; None if unreadable.

    Example: parse_reset("6m0s") -> 360.0; parse_reset("20ms") -> 0.02; parse_reset("1.5") -> 1.5
    """
    text = value.strip().lower()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        parts = _DURATION_PART.findall(text)
        if not parts or "".join(n + u for n, u in parts) != text:
            return None
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    else:
        if seconds > _EPOCH:
            seconds -= time.time()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def rate_headers(headers: Any) -> dict[str, str]:
    """The rate-limit headers of an answer as a plain dict (lower-case names); {} for none.

    Reads the names in `RATE_HEADERS` from any case-insensitive mapping (aiohttp's,
    httpx's) or a plain dict with lower-case names.
    Example: rate_headers({"x-ratelimit-remaining-requests": "9"})
             -> {"x-ratelimit-remaining-requests": "9"}
    """
    if not headers:
        return {}
    found = {}
    for name in RATE_HEADERS:
        value = headers.get(name)
        if value is not None:
            found[name] = value
    return found


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


@dataclass
class _Bucket:
    """One limit as this client estimates it: how much the server still takes, refilling."""

    limit: float | None = None
    level: float | None = None  # None: unknown, so nothing is held back
    rate: float | None = None  # refill per second, from the headers
    reset_at: float = 0.0
    updated: float = 0.0

    def refill(self, now: float) -> None:
        if self.level is None:
            return
        if self.rate:
            top = self.limit if self.limit is not None else math.inf
            self.level = min(top, self.level + self.rate * (now - self.updated))
        elif now >= self.reset_at:
            self.level = None  # the window the headers spoke of is over
        self.updated = now

    def wait_s(self, cost: float, now: float) -> float:
        """Seconds until `cost` can be taken (0: now); refills first."""
        self.refill(now)
        if self.level is None:
            return 0.0
        if self.limit is not None:
            cost = min(cost, self.limit)  # never wait for more than the bucket holds
        if self.level >= cost:
            return 0.0
        if self.rate:
            return (cost - self.level) / self.rate
        return max(self.reset_at - now, 0.0)

    def take(self, cost: float) -> None:
        if self.level is not None:
            self.level -= cost

    def set(self, limit: float | None, remaining: float, reset_s: float | None,
            sent_since: int, cost: float, now: float) -> None:
        """What an answer's headers say, less what was sent after its request."""
        if limit is not None:
            self.limit = limit
        self.level = remaining - sent_since * cost
        self.updated = now
        if reset_s is not None:
            self.reset_at = now + reset_s
            # servers round what remains down to a whole number, so (limit - remaining) /
            # reset can overstate the refill by up to 1 / reset: one less keeps it a floor,
            # once the deficit is big enough to say anything (the first guess may overstate)
            deficit = (self.limit or 0.0) - remaining
            if deficit > 1 and reset_s > 0:
                self.rate = (deficit - 1) / reset_s
            elif self.rate is None and deficit > 0 and reset_s > 0:
                self.rate = deficit / reset_s
        elif self.rate is None and self.limit is not None:
            self.rate = self.limit / 60.0  # no reset given: limits are per minute by custom


class EndpointRates:
    """The rate state of one endpoint (see the module docstring); every method takes and
    returns plain values, so an actor can host it.

    `delay(tokens)` -> (seconds to wait, ticket). With a ticket, the send is booked: wait
    that long (0: none), check `pause_left()` (a 429 may have come meanwhile), then send.
    Without one (ticket 0, during a 429 pause), ask again after that long. Booking a
    place in the refill, rather than telling every caller when the next slot frees,
    makes each paced caller sleep once instead of waking with all the others to race
    for it.
    """

    def __init__(self, *, backoff_base_s: float = 1.0, backoff_max_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic,
                 rng: Callable[[], float] = random.random) -> None:
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self._clock = clock
        self._rng = rng
        self._lock = threading.Lock()
        self._buckets = {kind: _Bucket() for kind in _KINDS}
        self._paused_until = 0.0
        self._strikes = 0  # bursts of 429 without Retry-After since the last success
        self._pause_ticket = 0  # sends up to this ticket belong to the burst already paid for
        self._issued = 0
        self._applied = 0  # the ticket whose headers were applied last
        self._token_cost = 0.0  # the mean estimated tokens per send, for stale corrections
        self.in_flight = 0
        self.waits = 0  # times a caller was told to wait
        self.rate_limited = 0  # 429s observed

    def delay(self, tokens: int = 0) -> tuple[float, int]:
        """(wait, ticket) for a request of about `tokens` tokens: booked to go after `wait`
        seconds (0: now); or (wait, 0) during a 429 pause: ask again after `wait`."""
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return self._wait(self._paused_until - now), 0
            wait = 0.0
            requests, budget = self._buckets["requests"], self._buckets["tokens"]
            if requests.level is not None or budget.level is not None:
                wait = max(requests.wait_s(1, now), budget.wait_s(tokens, now))
                requests.take(1)  # booked: the level may go below zero, a queue for the
                budget.take(tokens)  # refill that the next caller waits behind
            self._issued += 1
            self.in_flight += 1
            self._token_cost += (tokens - self._token_cost) / min(self._issued, 100)
            return (self._wait(wait) if wait > 0 else 0.0), self._issued

    def pause_left(self) -> float:
        """Seconds left of a 429 pause (0: none); a booked caller checks it before sending."""
        with self._lock:
            left = self._paused_until - self._clock()
            return self._wait(left) if left > 0 else 0.0

    def _wait(self, seconds: float) -> float:
        self.waits += 1
        return max(seconds, 0.001) * (1.0 + _JITTER * self._rng())

    def observe(self, ticket: int, status: int | None, headers: Mapping[str, str] | None,
                retry_after_s: float | None = None) -> None:
        """What the answer to send `ticket` said: its status, its headers (any mapping that
        answers the lower-case names of RATE_HEADERS: aiohttp's or httpx's as they come, or
        `rate_headers(...)` where they must travel), the Retry-After it asked for."""
        with self._lock:
            now = self._clock()
            if headers and ticket >= self._applied:
                self._applied = ticket
                for kind in _KINDS:
                    self._apply(kind, headers, now)
            if status == 429 or (status == 503 and retry_after_s is not None):
                self._pause(ticket, retry_after_s, now)
            elif status is not None and status < 400:
                self._strikes = 0

    def _apply(self, kind: str, headers: Mapping[str, str], now: float) -> None:
        remaining = _number(headers.get(f"x-ratelimit-remaining-{kind}"))
        if remaining is None:
            return
        cost = 1.0 if kind == "requests" else self._token_cost
        if remaining > (2 * self.in_flight + _SLACK) * cost:
            self._buckets[kind].level = None  # far from binding: nothing to hold back, and no
            return                            # reset to parse (the common case, kept cheap)
        reset = headers.get(f"x-ratelimit-reset-{kind}")
        self._buckets[kind].set(_number(headers.get(f"x-ratelimit-limit-{kind}")), remaining,
                                parse_reset(reset) if reset else None,
                                self._issued - self._applied, cost, now)

    def _pause(self, ticket: int, retry_after_s: float | None, now: float) -> None:
        self.rate_limited += 1
        if retry_after_s is not None:
            pause = retry_after_s
        elif ticket > self._pause_ticket:  # a new burst: back off further
            pause = min(self.backoff_max_s, self.backoff_base_s * 2 ** self._strikes)
            self._strikes += 1
        else:  # an answer of the burst already paused for
            return
        self._pause_ticket = self._issued
        self._paused_until = max(self._paused_until, now + pause)

    def release(self, ticket: int) -> None:
        """The send `ticket` is over (answered, failed or cancelled)."""
        with self._lock:
            self.in_flight -= 1

    def snapshot(self) -> dict[str, Any]:
        """The state for diagnostics: pause left, bucket levels, waits and 429s counted."""
        with self._lock:
            now = self._clock()
            return {"paused_s": max(0.0, self._paused_until - now), "in_flight": self.in_flight,
                    "waits": self.waits, "rate_limited": self.rate_limited, "sent": self._issued,
                    **{f"{kind}_left": b.level for kind, b in self._buckets.items()}}


class RateBudget(Protocol):
    """What a client asks of an endpoint's rate budget, wherever the budget is hosted.

    `observe` gets the answer's headers as they came (a case-insensitive mapping); a
    budget hosted elsewhere sends `rate_headers(headers)`, a plain dict, instead.
    """

    async def acquire(self, tokens: int = 0) -> int:
        """Wait until a request of about `tokens` tokens may be sent; its ticket."""
        ...

    def observe(self, ticket: int, status: int | None, headers: Mapping[str, str] | None,
                retry_after_s: float | None = None) -> None:
        """What the answer said (status, `rate_headers`, Retry-After)."""
        ...

    def release(self, ticket: int) -> None:
        """The request is over."""
        ...


class LocalRateBudget:
    """A RateBudget hosted in this process: EndpointRates, slept on with asyncio."""

    def __init__(self, rates: EndpointRates | None = None) -> None:
        self.rates = rates or EndpointRates()

    async def acquire(self, tokens: int = 0) -> int:
        """Wait until a request of about `tokens` tokens may be sent; its ticket."""
        rates = self.rates
        wait, ticket = rates.delay(tokens)
        while not ticket:  # paused by a 429: ask again when it ends
            await asyncio.sleep(wait)
            wait, ticket = rates.delay(tokens)
        try:
            while wait:  # booked: sleep to the booked time, and out any pause begun since
                await asyncio.sleep(wait)
                wait = rates.pause_left()
        except asyncio.CancelledError:
            rates.release(ticket)
            raise
        return ticket

    def observe(self, ticket: int, status: int | None, headers: Mapping[str, str] | None,
                retry_after_s: float | None = None) -> None:
        """What the answer said (status, `rate_headers`, Retry-After)."""
        self.rates.observe(ticket, status, headers, retry_after_s)

    def release(self, ticket: int) -> None:
        """The request is over."""
        self.rates.release(ticket)


_BUDGETS: dict[str, LocalRateBudget] = {}
_BUDGETS_LOCK = threading.Lock()


def budget_for(base_url: str, *, backoff_base_s: float = 1.0,
               backoff_max_s: float = 30.0) -> LocalRateBudget:
    """This process's budget for an endpoint, made on first use (the first caller's backoff
    settings hold); every client of the same normalized base URL gets the same one.

    Example: budget_for("http://H:80/v1/") is budget_for("http://h/v1") -> True
    """
    key = normalize_base_url(base_url)
    with _BUDGETS_LOCK:
        budget = _BUDGETS.get(key)
        if budget is None:
            budget = _BUDGETS[key] = LocalRateBudget(EndpointRates(
                backoff_base_s=backoff_base_s, backoff_max_s=backoff_max_s))
        return budget


def forget_budgets() -> None:
    """Drop every endpoint's budget, as a new process starts (tests use it between cases)."""
    with _BUDGETS_LOCK:
        _BUDGETS.clear()
