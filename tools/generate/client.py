"""`ModelClient`: cached, bounded, retrying calls to an OpenAI-compatible chat endpoint.

Requests travel by one of three transports (transport.py: aiohttp by
default, httpx, or langchain-openai's ChatOpenAI through the OpenAI SDK), with:
- a content cache (`ResponseCache`) keyed by endpoint, model and request: a hit
  makes no HTTP call; `use_cache=False` neither reads nor writes it (a
  `--no-cache` run leaves the cache as it found it);
- `config.concurrency` slots (slots.py: a semaphore that stays O(1) with
  thousands of waiters) around each HTTP attempt (not around backoff waits, so
  a task sleeping on a 429 holds no slot);
- the endpoint's rate budget (rate_budget.py), shared by every client of the
  same endpoint: after a 429 nobody sends until its Retry-After (or a backoff)
  has passed, and the `x-ratelimit-*` headers pace sends before a 429;
- retries on 429, 408/409, 5xx, timeouts, dropped connections and non-JSON
  bodies: exponential backoff with full jitter, or the server's Retry-After
  (seconds or HTTP-date) when it sends one (faults.py);
- R1 reasoning delivered in `reasoning_content` / `reasoning` (DeepSeek, vLLM,
  OpenRouter) kept on the `Completion`;
- counters (`stats`) and one-line endpoint diagnosis (`ping`) for `doctor`.

Use `await client.complete(...)` inside async code, `client.complete_many([...])`
from sync code (one failed item becomes a `CallFailure`; the others go on).

Trade-offs: the slots and the transport (connection pools, ChatOpenAI
instances) are made per event loop, because a pool cannot outlive the loop it
was opened on; the sync wrapper pays a few milliseconds to set them up per
batch, so batch whole stages, and async callers call `aclose()` before their
loop ends. The retry loop is a plain loop rather than tenacity: tenacity's
per-call objects form ~30 reference cycles per call, which at a few hundred
calls per second drove the cyclic garbage collector into full collections of
100+ ms every other batch (measured with bench/model_throughput.py).

Example:
    client = ModelClient(ModelConfig(base_url="http://localhost:8000/v1", model="r1"),
                         cache=ResponseCache(run_dir / "model-cache.sqlite"))
    done = await client.complete([ChatMessage(role="user", content="Hi")],
                                 temperature=0.6, max_tokens=512, skill="caption")
    done.text, done.reasoning, done.tokens_out, done.cached
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import urllib.parse
import weakref
from collections import Counter
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from retrolean.tools.generate.cache import ResponseCache, cache_key
from retrolean.tools.generate.completion import (
    CallFailure,
    ChatMessage,
    ClientStats,
    Completion,
    CompletionRequest,
    ModelConfig,
    PingResult,
)
from retrolean.tools.generate.faults import ModelCallError, backoff_s, classify
from retrolean.tools.generate.rate_budget import RateBudget, budget_for
from retrolean.tools.generate.slots import Slots
from retrolean.tools.generate.transport import (
    Transport,
    TransportName,
    choose_transport,
    open_transport,
)
from retrolean.tools.generate.wire import Answer

log = logging.getLogger(__name__)

MessagesIn = Sequence[ChatMessage | Mapping[str, str]]


@dataclass
class _LoopResources:
    """What must not cross event loops: the transport's connections and the slots."""

    transport: Transport
    slots: Slots


def _token_estimate(messages: list[ChatMessage], params: dict[str, Any]) -> int:
    """Tokens a request may use, as rate limits count them: prompt characters / 4 + max_tokens.

    Example: _token_estimate([ChatMessage(role="user", content="x" * 400)],
                             {"max_tokens": 100}) -> 200
    """
    return sum(len(m.content) for m in messages) // 4 + int(params.get("max_tokens") or 0)


def _as_messages(messages: MessagesIn) -> list[ChatMessage]:
    return [m if isinstance(m, ChatMessage) else ChatMessage.model_validate(m) for m in messages]


class ModelClient:
    """Calls one model on one OpenAI-compatible endpoint; see the module docstring."""

    def __init__(self, config: ModelConfig, cache: ResponseCache | None = None, *,
                 rate_budget: RateBudget | None = None) -> None:
        self.config = config
        self.cache = cache
        self.rate_budget: RateBudget = rate_budget or budget_for(
            config.base_url, backoff_base_s=config.backoff_base_s,
            backoff_max_s=config.backoff_max_s)
        self.logprobs_supported: bool | None = None
        self._stats: Counter[str] = Counter()  # plain ints: a pydantic setattr per count is
        self._stats_lock = threading.Lock()      # measurable at hundreds of calls a second
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopResources] = (
            weakref.WeakKeyDictionary())

    # --- accounting ------------------------------------------------------------------------

    @property
    def stats(self) -> ClientStats:
        """A snapshot of the counters."""
        with self._stats_lock:
            return ClientStats(**self._stats)

    def _count(self, **deltas: int) -> None:
        with self._stats_lock:
            stats = self._stats
            for name, delta in deltas.items():
                stats[name] += delta

    # --- per-loop resources ----------------------------------------------------------------

    @property
    def transport(self) -> TransportName:
        """Which transport the calls take ("aiohttp", "httpx" or "sdk"), for screen and trace."""
        return choose_transport(self.config)

    def _resources(self) -> _LoopResources:
        loop = asyncio.get_running_loop()
        resources = self._loops.get(loop)
        if resources is None:
            resources = _LoopResources(open_transport(self.config),
                                       Slots(self.config.concurrency))
            self._loops[loop] = resources
        return resources

    async def aclose(self) -> None:
        """Close the connections of the running event loop (others close with their loop)."""
        resources = self._loops.pop(asyncio.get_running_loop(), None)
        if resources is not None:
            await resources.transport.aclose()

    # --- one call --------------------------------------------------------------------------

    async def complete(self, messages: MessagesIn, *, temperature: float, max_tokens: int,
                       n: int = 1, logprobs: bool = False, top_logprobs: int = 0,
                       skill: str, skill_version: str = "1", sample: int = 0,
                       use_cache: bool = True) -> Completion:
        """One chat completion, from the cache or the endpoint; raises ModelCallError.

        `sample` tells apart repeated samples of the same prompt (each its own
        cache entry); `use_cache=False` neither reads nor writes the cache.
        """
        chat_messages = _as_messages(messages)
        params: dict[str, Any] = {"temperature": temperature, "max_tokens": max_tokens, "n": n}
        if logprobs:
            params.update(logprobs=True, top_logprobs=top_logprobs)
        cache = self.cache if use_cache else None
        key = (self._key(chat_messages, params, skill, skill_version, sample)
               if cache is not None else "")
        self._count(calls=1)
        if cache is not None:
            hit = cache.get(key)
            if hit is not None:
                self._count(cache_hits=1)
                return Completion.model_validate({**hit, "cached": True, "attempts": 0})
        answer, latency_ms, attempts = await self._call_with_retries(chat_messages, params)
        completion = self._completion(answer, params, latency_ms, skill=skill,
                                      skill_version=skill_version, sample=sample, key=key,
                                      attempts=attempts)
        if cache is not None:
            cache.put(key, completion.model_dump(mode="json"), model=self.config.model,
                      skill=skill, skill_version=skill_version)
        return completion

    def _key(self, messages: list[ChatMessage], params: dict[str, Any], skill: str,
             skill_version: str, sample: int) -> str:
        """The cache key of a call: endpoint, model, messages, parameters (extra body too)."""
        keyed = {**params, "extra_body": self.config.extra_body} if self.config.extra_body \
            else params
        return cache_key(self.config.model, [m.model_dump() for m in messages], keyed,
                         skill=skill, skill_version=skill_version, sample=sample,
                         endpoint=self.config.base_url)

    def complete_request(self, request: CompletionRequest) -> Coroutine[Any, Any, Completion]:
        """`complete` with its arguments in a CompletionRequest (await it; no coroutine of
        its own in between, one frame fewer per call in a batch of thousands)."""
        return self.complete(
            request.messages, temperature=request.temperature, max_tokens=request.max_tokens,
            n=request.n, logprobs=request.logprobs, top_logprobs=request.top_logprobs,
            skill=request.skill, skill_version=request.skill_version, sample=request.sample,
            use_cache=request.use_cache)

    async def _call_with_retries(self, messages: list[ChatMessage], params: dict[str, Any]
                                 ) -> tuple[Answer, float, int]:
        """Attempts until one succeeds, one fails for good, or max_retries retries are spent:
        the answer, its latency and the attempts it took."""
        cfg = self.config
        attempt = 0
        while True:
            attempt += 1
            try:
                answer, latency_ms = await self._attempt(messages, params)
            except ModelCallError as error:
                if not error.retryable or attempt > cfg.max_retries:
                    error.attempts = attempt
                    self._count(failures=1)
                    raise
                wait = backoff_s(attempt, base_s=cfg.backoff_base_s, max_s=cfg.backoff_max_s,
                                 retry_after_s=error.retry_after_s,
                                 retry_after_max_s=cfg.retry_after_max_s)
                self._count(retries=1)
                log.info("model call attempt %d failed (%s); retrying in %.2f s",
                         attempt, error, wait)
                await asyncio.sleep(wait)
            else:
                return answer, latency_ms, attempt

    async def _attempt(self, messages: list[ChatMessage], params: dict[str, Any],
                       *, timeout_s: float | None = None) -> tuple[Answer, float]:
        """One HTTP attempt in a slot and under the endpoint's rate budget: the answer (it
        has choices) and its latency; every failure becomes a ModelCallError."""
        resources = self._resources()
        limit = timeout_s or self.config.timeout_s
        budget = self.rate_budget
        async with resources.slots:
            ticket = await budget.acquire(_token_estimate(messages, params))
            try:
                started = time.perf_counter()
                try:
                    answer = await resources.transport.generate(messages, params, limit)
                except asyncio.CancelledError:
                    self._count(requests=1)
                    raise
                except Exception as exc:
                    self._count(requests=1)
                    error = classify(exc, base_url=self.config.base_url,
                                     model=self.config.model, timeout_s=limit)
                    if error.status is not None:
                        wait = error.retry_after_s
                        budget.observe(ticket, error.status, error.headers, None if wait is None
                                       else min(wait, self.config.retry_after_max_s))
                    if params.get("logprobs") and error.kind == "bad_request":
                        self.logprobs_supported = False
                    raise error from exc
                latency_ms = (time.perf_counter() - started) * 1000.0
                self._count(requests=1, tokens_in=answer.tokens_in, tokens_out=answer.tokens_out)
                budget.observe(ticket, 200, answer.headers)
            finally:
                budget.release(ticket)
        if not answer.choices:
            raise ModelCallError("protocol", f"the answer from {self.config.base_url} has no "
                                             "choices")
        return answer, latency_ms

    def _completion(self, answer: Answer, params: dict[str, Any], latency_ms: float,
                    **fields: Any) -> Completion:
        """The Completion of an answer (its first choice at top level), with `fields`."""
        choices = answer.choices
        if params.get("logprobs"):
            self.logprobs_supported = choices[0].logprobs is not None
        first = choices[0]
        return Completion(text=first.text, reasoning=first.reasoning,
                          finish_reason=first.finish_reason, logprobs=first.logprobs,
                          choices=choices, model=self.config.model, tokens_in=answer.tokens_in,
                          tokens_out=answer.tokens_out, latency_ms=latency_ms, **fields)

    # --- batches ---------------------------------------------------------------------------

    async def acomplete_many(self, requests: Sequence[CompletionRequest]
                             ) -> list[Completion | CallFailure]:
        """All requests concurrently (bounded by the slots), results in request order.

        A call that fails after its retries becomes a CallFailure in its place;
        the other calls go on. Exceptions that are not model-call failures
        (bugs) are raised once every call has finished. Twice `concurrency`
        workers take the requests in turn (enough to keep every slot busy while
        some sleep on a backoff), rather than a task per request: a batch of
        thousands then keeps hundreds of coroutines alive, not thousands, which
        is garbage-collector work saved on every request.
        """
        outcomes: list[Completion | BaseException | None] = [None] * len(requests)
        queue = iter(enumerate(requests))

        async def worker() -> None:
            for index, request in queue:
                try:
                    outcomes[index] = await self.complete_request(request)
                except asyncio.CancelledError:
                    raise
                except BaseException as exc:  # noqa: BLE001 - kept, sorted out below
                    outcomes[index] = exc

        workers = min(len(requests), 2 * self.config.concurrency)
        await asyncio.gather(*(worker() for _ in range(workers)))
        results: list[Completion | CallFailure] = []
        for index, (request, outcome) in enumerate(zip(requests, outcomes, strict=True)):
            if isinstance(outcome, ModelCallError):
                results.append(CallFailure(index=index, kind=outcome.kind,
                                           message=outcome.message, attempts=outcome.attempts,
                                           skill=request.skill, status=outcome.status))
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                assert outcome is not None
                results.append(outcome)
        return results

    def complete_many(self, requests: Sequence[CompletionRequest]
                      ) -> list[Completion | CallFailure]:
        """Sync wrapper of `acomplete_many` for code outside an event loop."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("complete_many() called inside a running event loop; "
                               "await acomplete_many() instead")

        async def run() -> list[Completion | CallFailure]:
            try:
                return await self.acomplete_many(requests)
            finally:
                await self.aclose()

        return asyncio.run(run())

    # --- diagnosis -------------------------------------------------------------------------

    async def list_models(self, *, timeout_s: float = 15.0) -> list[str]:
        """The model names the endpoint serves; raises ModelCallError with a one-line message."""
        self._count(listings=1)
        try:
            return await self._resources().transport.list_models(timeout_s)
        except Exception as exc:
            raise classify(exc, base_url=self.config.base_url, model=self.config.model,
                           timeout_s=timeout_s) from exc

    async def ping(self, *, timeout_s: float = 30.0, always_call: bool = True) -> PingResult:
        """Check the endpoint: URL shape, model listing, the model served, one tiny call.

        `always_call=False` is the cheap probe a run makes before it plans: the
        listing alone (it needs the server up, TLS right, and — on OpenAI, DeepSeek
        and vLLM with --api-key — the key), and a one-token call only where the
        server lists no models.
        """
        base_url = self.config.base_url
        parsed = urllib.parse.urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            return PingResult(ok=False, detail=f"bad base URL '{base_url}': expected something "
                                               "like http://localhost:8000/v1")
        models: list[str] = []
        try:
            models = await self.list_models(timeout_s=timeout_s)
        except ModelCallError as error:
            if error.kind != "not_found":
                return PingResult(ok=False, detail=error.message)
        if models and self.config.model not in models:
            shown = ", ".join(models[:8]) + (", …" if len(models) > 8 else "")
            return PingResult(ok=False, models=models, detail=(
                f"model '{self.config.model}' is not served at {base_url}; it serves: {shown}"))
        if models and not always_call:
            return PingResult(ok=True, models=models, detail=(
                f"'{self.config.model}' is listed at {base_url}"))
        try:
            _answer, latency_ms = await self._attempt(
                [ChatMessage(role="user", content="Say OK.")],
                {"temperature": 0.0, "max_tokens": 16 if always_call else 1, "n": 1},
                timeout_s=timeout_s)
        except ModelCallError as error:
            return PingResult(ok=False, models=models, detail=error.message)
        listed = f"{len(models)} models listed" if models else "no model list"
        return PingResult(ok=True, models=models, latency_ms=latency_ms, detail=(
            f"'{self.config.model}' at {base_url} answers ({latency_ms:.0f} ms; {listed})"))

    def ping_sync(self, *, timeout_s: float = 30.0, always_call: bool = True) -> PingResult:
        """Sync wrapper of `ping` for the CLI."""

        async def run() -> PingResult:
            try:
                return await self.ping(timeout_s=timeout_s, always_call=always_call)
            finally:
                await self.aclose()

        return asyncio.run(run())
