"""Rate limits per endpoint: a 429 pauses every caller, rate-limit headers pace them first."""

from __future__ import annotations

import pytest

from retrolean.tools.generate import ChatMessage, CompletionRequest, ModelClient, ModelConfig
from retrolean.tools.generate.fake_server import RateLimit, Reply
from retrolean.tools.generate.rate_budget import (
    EndpointRates,
    LocalRateBudget,
    budget_for,
    parse_reset,
    rate_headers,
)

pytest_plugins = ["conftest_fake_openai"]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def rates(clock: Clock) -> EndpointRates:
    return EndpointRates(backoff_base_s=1.0, backoff_max_s=8.0, clock=clock, rng=lambda: 0.0)


def requests(count: int, tag: str = "q") -> list[CompletionRequest]:
    return [CompletionRequest(messages=[ChatMessage(role="user", content=f"{tag} {i}")],
                              skill="t", max_tokens=16) for i in range(count)]


# --- the state, on a clock of its own -------------------------------------------------------


@pytest.mark.parametrize(("value", "seconds"), [("1s", 1.0), ("6m0s", 360.0), ("20ms", 0.02),
                                                ("1h2m3.5s", 3723.5), ("0.25", 0.25),
                                                ("soon", None)])
def test_reset_values_read_as_servers_write_them(value, seconds):
    assert parse_reset(value) == (pytest.approx(seconds) if seconds is not None else None)


def test_a_429_with_retry_after_pauses_every_caller_until_then():
    clock = Clock()
    state = rates(clock)
    wait, ticket = state.delay()
    assert wait == 0 and ticket == 1
    state.observe(ticket, 429, {}, retry_after_s=2.0)
    assert state.delay() == (pytest.approx(2.0), 0) and state.pause_left() == pytest.approx(2.0)
    clock.now += 2.0
    assert state.delay()[0] == 0 and state.pause_left() == 0


def test_without_retry_after_each_new_burst_of_429s_doubles_the_pause():
    clock = Clock()
    state = rates(clock)
    burst = [state.delay()[1] for _ in range(3)]
    for ticket in burst:  # one burst: three answers of requests sent together
        state.observe(ticket, 429, {})
    assert state.delay()[0] == pytest.approx(1.0)
    clock.now += 1.0
    late = state.delay()[1]
    state.observe(late, 429, {})
    assert state.delay()[0] == pytest.approx(2.0)
    clock.now += 2.0
    state.observe(state.delay()[1], 200, {})  # a success ends the streak
    state.observe(state.delay()[1], 429, {})
    assert state.delay()[0] == pytest.approx(1.0)


def test_headers_pace_callers_before_the_server_says_429():
    clock = Clock()
    state = rates(clock)
    first = state.delay()[1]
    state.observe(first, 200, {"x-ratelimit-limit-requests": "60",
                               "x-ratelimit-remaining-requests": "2",
                               "x-ratelimit-reset-requests": "57s"})  # refills 1 per second
    assert [state.delay()[0] for _ in range(2)] == [0, 0]
    booked = [state.delay() for _ in range(2)]  # each caller books its own place
    assert [wait for wait, _ in booked] == [pytest.approx(1.0), pytest.approx(2.0)]
    assert all(ticket for _, ticket in booked)
    clock.now += 3.0
    assert state.delay()[0] == 0


def test_token_headers_hold_back_a_request_that_would_not_fit():
    clock = Clock()
    state = rates(clock)
    state.observe(state.delay(tokens=100)[1], 200, {
        "x-ratelimit-limit-tokens": "6001", "x-ratelimit-remaining-tokens": "500",
        "x-ratelimit-reset-tokens": "55s"})  # 100 tokens per second
    assert state.delay(tokens=400)[0] == 0
    assert state.delay(tokens=400)[0] == pytest.approx(3.0)


def test_stale_headers_are_ignored_and_later_sends_are_subtracted():
    clock = Clock()
    state = rates(clock)
    old, new = state.delay()[1], state.delay()[1]
    headers = {"x-ratelimit-limit-requests": "100", "x-ratelimit-reset-requests": "60s"}
    state.observe(new, 200, {**headers, "x-ratelimit-remaining-requests": "10"})
    state.observe(old, 200, {**headers, "x-ratelimit-remaining-requests": "50"})  # stale
    assert state.snapshot()["requests_left"] == pytest.approx(10)
    state.delay()
    later = state.delay()[1]
    state.observe(later - 1, 200, {**headers, "x-ratelimit-remaining-requests": "9"})
    assert state.snapshot()["requests_left"] == pytest.approx(8)  # the one sent after it


def test_rate_headers_are_read_from_any_mapping_and_nothing_else():
    found = rate_headers({"x-ratelimit-remaining-requests": "9", "content-type": "json"})
    assert found == {"x-ratelimit-remaining-requests": "9"} and rate_headers(None) == {}


def test_clients_of_one_endpoint_share_its_budget(fake_openai):
    one = ModelClient(ModelConfig(base_url=fake_openai.url, model="fake-r1"))
    two = ModelClient(ModelConfig(base_url=fake_openai.url + "/", model="fake-r1",
                                  concurrency=3))
    assert one.rate_budget is two.rate_budget is budget_for(fake_openai.url)
    other = LocalRateBudget()
    assert ModelClient(one.config, rate_budget=other).rate_budget is other


# --- through the loopback server ----------------------------------------------------------


def test_after_a_429_queued_callers_wait_for_retry_after(fake_openai):
    fake_openai.fallback = lambda request: Reply.slow(0.3)
    fake_openai.enqueue(Reply.rate_limited(retry_after="0.8"))
    client = ModelClient(ModelConfig(base_url=fake_openai.url, model="fake-r1", concurrency=4,
                                     max_retries=2))
    results = client.complete_many(requests(10))
    assert all(r.text == "ok" for r in results)  # type: ignore[union-attr]
    times = [r.received_at for r in fake_openai.chat_requests]
    limited = times[0]
    later = [t - limited for t in times if t - limited > 0.1]
    # without the shared pause, the three slots freed at 0.3 s would send at once
    assert later and min(later) >= 0.75
    assert client.rate_budget.rates.snapshot()["rate_limited"] == 1  # type: ignore[attr-defined]


def test_rate_limit_headers_pace_the_client_so_the_server_never_says_429(fake_openai):
    fake_openai.limit_rate(RateLimit(requests=5, window_s=0.5))  # 10 per second
    client = ModelClient(ModelConfig(base_url=fake_openai.url, model="fake-r1", concurrency=8,
                                     max_retries=0))
    client.complete_many(requests(1, "warm"))  # the first answer tells the limits
    results = client.complete_many(requests(16))
    assert all(r.text == "ok" for r in results)  # type: ignore[union-attr]
    assert fake_openai.rate_limited == 0
    assert client.rate_budget.rates.snapshot()["waits"] > 0  # type: ignore[attr-defined]


def test_the_fake_server_announces_and_enforces_its_limit(fake_openai):
    fake_openai.limit_rate(RateLimit(requests=2, window_s=60))
    client = ModelClient(ModelConfig(base_url=fake_openai.url, model="fake-r1", max_retries=0),
                         rate_budget=LocalRateBudget())
    results = client.complete_many(requests(3))
    assert fake_openai.rate_limited == 1
    assert sorted(getattr(r, "kind", "ok") for r in results) == ["ok", "ok", "rate_limited"]
    answered = [r for r in fake_openai.chat_requests if r.status == 200]
    assert len(answered) == 2 and all(r.usage for r in answered)


# --- the client's slots -----------------------------------------------------------------------


def test_slots_bound_holders_serve_in_order_and_survive_a_cancelled_waiter():
    import asyncio

    from retrolean.tools.generate.slots import Slots

    async def main() -> tuple[int, list[int]]:
        slots = Slots(2)
        inside, most, order = 0, 0, []

        async def hold(index: int, wait: float) -> None:
            nonlocal inside, most
            async with slots:
                inside += 1
                most = max(most, inside)
                order.append(index)
                await asyncio.sleep(wait)
                inside -= 1

        tasks = [asyncio.create_task(hold(i, 0.01)) for i in range(6)]
        await asyncio.sleep(0)
        tasks[3].cancel()  # waiting for a slot when cancelled
        await asyncio.gather(*tasks, return_exceptions=True)
        async with slots, slots:  # both slots came back
            pass
        return most, order

    most, order = asyncio.run(main())
    assert most == 2 and order == [0, 1, 2, 4, 5]
