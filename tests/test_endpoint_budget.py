"""One endpoint budget shared by every caller: concurrency held, and a 429 pauses everyone."""

from __future__ import annotations

import asyncio
import time

from retrolean.tools.generate import ModelClient, ModelConfig
from retrolean.tools.generate.budget import SharedBudget
from retrolean.tools.generate.completion import CallFailure, CompletionRequest
from retrolean.tools.generate.fake_server import FakeOpenAI, Reply


def test_the_budget_holds_its_concurrency() -> None:
    budget = SharedBudget(concurrency=2)

    async def one() -> None:
        await budget.acquire()
        await asyncio.sleep(0.02)
        await budget.release()

    async def many() -> None:
        await asyncio.gather(*(one() for _ in range(8)))

    asyncio.run(many())
    assert budget.stats.acquired == 8 and budget.stats.max_in_flight == 2


def test_a_429_pauses_every_caller_for_its_retry_after() -> None:
    budget = SharedBudget(concurrency=8)

    async def scene() -> float:
        await budget.observe(429, 0.3)
        start = time.monotonic()
        await asyncio.gather(budget.acquire(), budget.acquire())
        return time.monotonic() - start

    assert asyncio.run(scene()) >= 0.29
    assert budget.stats.pauses == 1


def test_clients_sharing_a_budget_share_its_limit_and_its_pause() -> None:
    """Two clients (two workers) on one budget of 3: never more than 3 requests in flight,
    and once the 429 is answered no request is sent until its Retry-After has passed."""
    budget = SharedBudget(concurrency=3)
    limited = Reply.rate_limited(retry_after="0.4")
    limited.delay_s = 0.2  # answered at first + 0.2 s: the pause runs from then
    with FakeOpenAI() as server:
        server.enqueue(limited)
        server.fallback = lambda request: Reply(content="ok", delay_s=0.05)
        clients = [ModelClient(ModelConfig(base_url=server.url, model="fake-r1", concurrency=8,
                                           backoff_base_s=0.01), budget=budget)
                   for _ in range(2)]
        request = CompletionRequest(messages=[{"role": "user", "content": "hi"}],
                                    temperature=0.0, max_tokens=8, skill="t")

        async def calls() -> list:
            try:
                return await asyncio.gather(*(c.acomplete_many([request.model_copy(
                    update={"sample": i}) for i in range(6)]) for c in clients))
            finally:
                for c in clients:
                    await c.aclose()

        out = asyncio.run(calls())
        times = sorted(r.received_at for r in server.chat_requests)
    failed = [c for batch in out for c in batch if isinstance(c, CallFailure)]
    assert not failed
    assert budget.stats.max_in_flight <= 3 and budget.stats.pauses == 1
    answered = times[0] + 0.2
    assert not [t for t in times if answered + 0.03 < t < answered + 0.37]  # nobody sent
    assert [t for t in times if t >= answered + 0.37]  # and then the calls went on
    assert len(times) == 13  # 12 calls, one of them twice
