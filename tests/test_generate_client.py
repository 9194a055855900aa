"""ModelClient against a real loopback HTTP server: retries, timeouts, cache, bounds, batches."""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from pydantic import BaseModel

from retrolean.tools.generate import (
    CallFailure,
    ChatMessage,
    Completion,
    CompletionRequest,
    ModelCallError,
    ModelClient,
    ModelConfig,
    ResponseCache,
    cache_key,
    parse_retry_after,
)
from retrolean.tools.generate.cache import normalize_base_url
from retrolean.tools.generate.fake_server import FakeOpenAI, RateLimit, RecordedRequest, Reply
from retrolean.tools.generate.faults import backoff_s
from retrolean.tools.generate.parsing import ParseError, parse_output
from retrolean.tools.generate.shards import shard_count
from retrolean.tools.generate.transport_aiohttp import env_proxy

pytest_plugins = ["conftest_fake_openai"]

T = TypeVar("T")
HI = [ChatMessage(role="user", content="hi")]
TRANSPORTS = ["aiohttp", "httpx", "sdk"]
every_transport = pytest.mark.parametrize("transport", TRANSPORTS)


def make_client(server: FakeOpenAI, cache: ResponseCache | None = None, **config) -> ModelClient:
    settings = {"base_url": server.url, "model": "fake-r1", "backoff_base_s": 0.01,
                "backoff_max_s": 0.05, "max_retries": 3, "timeout_s": 5.0} | config
    return ModelClient(ModelConfig(**settings), cache=cache)


def run(client: ModelClient, make: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        try:
            return await make()
        finally:
            await client.aclose()

    return asyncio.run(main())


def ask(client: ModelClient, **kwargs) -> Completion:
    arguments = {"temperature": 0.6, "max_tokens": 64, "skill": "test"} | kwargs
    return run(client, lambda: client.complete(HI, **arguments))


def content(request: RecordedRequest) -> str:
    return (request.body or {})["messages"][-1]["content"]


# --- one call ----------------------------------------------------------------------------


@every_transport
def test_completion_carries_text_reasoning_tokens_and_latency(fake_openai, transport):
    fake_openai.enqueue(Reply.text("It is 4.", reasoning_content="2 + 2"))
    done = ask(make_client(fake_openai, transport=transport))
    assert (done.text, done.reasoning, done.finish_reason) == ("It is 4.", "2 + 2", "stop")
    assert done.tokens_in > 0 and done.tokens_out > 0 and done.latency_ms > 0
    assert (done.attempts, done.cached) == (1, False)


@every_transport
def test_request_sends_max_tokens_and_temperature(fake_openai, transport):
    ask(make_client(fake_openai, transport=transport), temperature=0.3, max_tokens=77)
    body = fake_openai.chat_requests[0].body
    assert body["max_tokens"] == 77 and body["temperature"] == 0.3
    assert "max_completion_tokens" not in body and body["model"] == "fake-r1"


def test_inline_think_block_stays_in_the_text(fake_openai):
    fake_openai.enqueue(Reply.think("hmm", "Yes."))
    done = ask(make_client(fake_openai))
    assert done.text.startswith("<think>") and done.reasoning == ""


@every_transport
def test_n_choices_are_all_returned(fake_openai, transport):
    fake_openai.enqueue(Reply(content=["a", "b", "c"]))
    done = ask(make_client(fake_openai, transport=transport), n=3)
    assert [c.text for c in done.choices] == ["a", "b", "c"] and done.text == "a"


@every_transport
def test_logprobs_come_back_per_token_with_their_alternatives(fake_openai, transport):
    fake_openai.enqueue(Reply.yes_no(0.8, reasoning=None))
    client = make_client(fake_openai, transport=transport)
    done = ask(client, logprobs=True, top_logprobs=5)
    assert done.logprobs is not None and done.logprobs[0].token == "Yes"
    assert {alt.token for alt in done.logprobs[0].top} == {" Yes", "yes", " No", "NO"}
    assert client.logprobs_supported is True


def test_auto_transport_is_aiohttp_everywhere_and_the_others_on_request(monkeypatch):
    def pick(url: str, transport: str = "auto") -> str:
        return ModelClient(ModelConfig(base_url=url, model="m", transport=transport)).transport

    assert pick("http://127.0.0.1:8000/v1") == "aiohttp"
    assert pick("https://api.deepseek.com/v1") == "aiohttp"
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    assert pick("http://gpu-box:8000/v1") == "aiohttp"
    assert pick("http://gpu-box:8000/v1", "httpx") == "httpx"
    assert pick("http://gpu-box:8000/v1", "sdk") == "sdk"


def test_aiohttp_takes_its_proxy_from_the_environment(monkeypatch):
    from yarl import URL

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
                 "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert env_proxy(URL("https://api.example.com/v1/")) is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "gpu-box")
    assert env_proxy(URL("https://api.example.com/v1/")) == URL("http://proxy.example:3128")
    assert env_proxy(URL("https://gpu-box/v1/")) is None


def test_connections_are_sharded_four_to_a_client():
    assert [shard_count(c) for c in (1, 4, 5, 16, 64)] == [1, 1, 2, 4, 16]


@pytest.mark.parametrize("config", [{}, {"max_tokens_field": "max_completion_tokens"},
                                    {"extra_body": {"top_k": 20}}, {"model": "o3-mini"}])
def test_every_transport_sends_the_same_body(fake_openai, monkeypatch, config):
    monkeypatch.setattr(fake_openai, "models", ("fake-r1", "o3-mini"))
    messages = [ChatMessage(role="system", content="Be brief."),
                ChatMessage(role="user", content="hi"),
                ChatMessage(role="assistant", content="Hello."),
                ChatMessage(role="user", content="2 + 2?")]
    for transport in TRANSPORTS:
        client = make_client(fake_openai, transport=transport, **config)
        run(client, lambda c=client: c.complete(messages, temperature=0.2, max_tokens=9, n=2,
                                                logprobs=True, top_logprobs=3, skill="t"))
    bodies = [r.body for r in fake_openai.chat_requests]
    assert len(bodies) == 3 and bodies[0] == bodies[1] == bodies[2]


@pytest.mark.parametrize("reply", [
    Reply.text("It is 4.", reasoning_content="2 + 2"),
    Reply.think("hmm", "Yes."),
    Reply.truncated(),
    Reply(content=["a", "b", "c"], finish_reason="length"),
    Reply.yes_no(0.8),
    Reply(content=""),
    Reply(content=None, reasoning_content="all of it, no </think>"),
    Reply(content="It is 4.", reasoning_content="2 + 2", reasoning_field="reasoning"),
], ids=["reasoning", "think", "truncated", "n3", "logprobs", "empty", "content-null",
        "reasoning-field"])
def test_every_transport_reads_an_answer_into_the_same_completion(fake_openai, reply):
    done = []
    for transport in TRANSPORTS:
        fake_openai.enqueue(reply)
        completion = ask(make_client(fake_openai, transport=transport), n=3, logprobs=True,
                         top_logprobs=5)
        done.append(completion.model_dump(exclude={"latency_ms"}))
    assert done[0] == done[1] == done[2]
    assert done[0]["reasoning"] == (reply.reasoning_content or "")


@every_transport
def test_every_transport_hands_rate_limit_headers_to_the_budget(fake_openai, transport):
    fake_openai.limit_rate(RateLimit(requests=3, window_s=60))
    client = make_client(fake_openai, transport=transport, max_retries=0)
    assert ask(client).text == "ok"
    assert client.rate_budget.rates.snapshot()["requests_left"] == 2  # type: ignore[attr-defined]


@every_transport
@pytest.mark.parametrize("framing", [{"chunked": True}, {"gzip": True}, {"http10": True},
                                     {"chunked": True, "gzip": True}])
def test_answer_framings_are_read(fake_openai, transport, framing):
    fake_openai.enqueue(Reply(content="framed", **framing), Reply.text("next"))
    client = make_client(fake_openai, transport=transport)

    async def twice() -> list[Completion]:
        first = await client.complete(HI, temperature=0, max_tokens=8, skill="t")
        second = await client.complete(HI, temperature=0, max_tokens=8, skill="t", sample=1)
        return [first, second]

    done = run(client, twice)
    assert [d.text for d in done] == ["framed", "next"] and done[0].attempts == 1


@every_transport
def test_server_closing_an_idle_connection_costs_no_attempt(fake_openai, transport):
    fake_openai.enqueue(Reply(content="first", hang_up_after=True), Reply.text("second"))
    client = make_client(fake_openai, transport=transport)

    async def twice() -> list[Completion]:
        first = await client.complete(HI, temperature=0, max_tokens=8, skill="t")
        await asyncio.sleep(0.05)  # let the hang-up arrive, as it does between real calls
        second = await client.complete(HI, temperature=0, max_tokens=8, skill="t", sample=1)
        return [first, second]

    done = run(client, twice)
    assert [d.text for d in done] == ["first", "second"] and done[1].attempts == 1


@every_transport
def test_keep_alive_connections_are_reused(fake_openai, transport):
    client = make_client(fake_openai, transport=transport, concurrency=2)
    requests = [CompletionRequest(messages=[ChatMessage(role="user", content=f"q{i}")],
                                  skill="t") for i in range(12)]
    assert all(isinstance(r, Completion) for r in client.complete_many(requests))
    assert fake_openai.connections <= 2


class Verdict(BaseModel):
    consistent: bool
    reason: str


@pytest.mark.parametrize(("reply", "expect"), [
    (Reply.fenced("lean4", "theorem t : True := trivial"), "theorem t : True := trivial"),
    (Reply.json_in_prose({"consistent": True, "reason": "a witness exists"}), "a witness exists"),
    (Reply.refusal(), "refusal"),
    (Reply.truncated(), "truncated"),
    (Reply.text("42", reasoning_content="long thought"), "no_code"),
])
def test_scripted_r1_answers_parse_as_the_pipeline_expects(fake_openai, reply, expect):
    fake_openai.enqueue(reply)
    done = ask(make_client(fake_openai))
    wants_json = "consistent" in done.text
    try:
        parsed = parse_output(done.text, reasoning_content=done.reasoning,
                              finish_reason=done.finish_reason,
                              language=None if wants_json else "lean4",
                              schema=Verdict if wants_json else None)
    except ParseError as error:
        assert error.kind == expect
    else:
        found = parsed.data.reason if parsed.data else parsed.code.code  # type: ignore[union-attr]
        assert found == expect and parsed.reasoning


# --- retries -----------------------------------------------------------------------------


@every_transport
def test_retry_after_is_honoured_on_429(fake_openai, transport):
    fake_openai.enqueue(Reply.rate_limited(retry_after="0.4"), Reply.text("ok"))
    client = make_client(fake_openai, transport=transport)
    done = ask(client)
    first, second = fake_openai.chat_requests
    assert second.received_at - first.received_at >= 0.4
    assert done.attempts == 2 and client.stats.retries == 1


@every_transport
def test_500_then_success(fake_openai, transport):
    fake_openai.enqueue(Reply.server_error(500), Reply.server_error(503), Reply.text("fine"))
    done = ask(make_client(fake_openai, transport=transport))
    assert done.text == "fine" and done.attempts == 3


@every_transport
def test_timeout_then_success(fake_openai, transport):
    fake_openai.enqueue(Reply.slow(2.0), Reply.text("in time"))
    done = ask(make_client(fake_openai, transport=transport, timeout_s=0.3))
    assert done.text == "in time" and done.attempts == 2


@every_transport
def test_dropped_connection_then_success(fake_openai, transport):
    fake_openai.enqueue(Reply.dropped(), Reply.text("back"))
    assert ask(make_client(fake_openai, transport=transport)).text == "back"


@every_transport
def test_malformed_body_then_success(fake_openai, transport):
    fake_openai.enqueue(Reply.malformed(), Reply.text("json again"))
    assert ask(make_client(fake_openai, transport=transport)).text == "json again"


@every_transport
def test_retries_are_bounded(fake_openai, transport):
    fake_openai.enqueue(*[Reply.server_error()] * 3)
    client = make_client(fake_openai, transport=transport, max_retries=2)
    with pytest.raises(ModelCallError) as error:
        ask(client)
    assert error.value.kind == "server_error" and error.value.attempts == 3
    assert len(fake_openai.chat_requests) == 3 and client.stats.failures == 1


@every_transport
def test_unauthorized_is_not_retried(fake_openai, transport):
    fake_openai.api_key = "right"
    with pytest.raises(ModelCallError) as error:
        ask(make_client(fake_openai, transport=transport, api_key="wrong"))
    assert error.value.kind == "auth" and len(fake_openai.chat_requests) == 1


def test_retry_after_parses_seconds_and_http_dates():
    now = datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC)
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None


def test_backoff_grows_with_jitter_and_obeys_retry_after():
    ceilings = [max(backoff_s(n, base_s=1, max_s=8) for _ in range(200)) for n in (1, 3, 6)]
    assert ceilings[0] <= 1 < ceilings[1] <= 4 < ceilings[2] <= 8
    assert 5 <= backoff_s(1, base_s=1, max_s=8, retry_after_s=5) <= 5.5
    assert backoff_s(1, base_s=1, max_s=8, retry_after_s=500, retry_after_max_s=60) <= 66


# --- concurrency -------------------------------------------------------------------------


@every_transport
def test_concurrency_bound_is_respected(fake_openai, transport):
    fake_openai.latency_s = 0.1
    client = make_client(fake_openai, transport=transport, concurrency=4)
    requests = [CompletionRequest(messages=[ChatMessage(role="user", content=f"q{i}")],
                                  skill="test") for i in range(16)]
    results = client.complete_many(requests)
    assert all(isinstance(r, Completion) for r in results)
    assert fake_openai.max_in_flight == 4


@every_transport
def test_a_failed_item_does_not_stop_the_batch(fake_openai, transport):
    fake_openai.fallback = lambda request: (
        Reply.server_error() if content(request) == "bad" else Reply.text(content(request)))
    client = make_client(fake_openai, transport=transport, max_retries=1)
    requests = [CompletionRequest(messages=[ChatMessage(role="user", content=c)], skill="t")
                for c in ("one", "bad", "three")]
    results = client.complete_many(requests)
    assert [r.text for r in results if isinstance(r, Completion)] == ["one", "three"]
    failure = results[1]
    assert isinstance(failure, CallFailure) and failure.index == 1
    assert failure.kind == "server_error" and failure.attempts == 2


@every_transport
def test_batches_can_run_one_after_another(fake_openai, transport):
    client = make_client(fake_openai, transport=transport)
    request = CompletionRequest(messages=HI, skill="t")
    assert len(client.complete_many([request]) + client.complete_many([request])) == 2


# --- cache -------------------------------------------------------------------------------


def test_cache_hit_makes_no_http_call(fake_openai, tmp_path):
    client = make_client(fake_openai, cache=ResponseCache(tmp_path / "cache.sqlite"))
    first = ask(client)
    again = ask(client)
    assert len(fake_openai.chat_requests) == 1
    assert again.cached and again.attempts == 0 and again.text == first.text
    assert client.stats.cache_hits == 1 and client.stats.requests == 1


def test_cache_survives_a_new_client(fake_openai, tmp_path):
    ask(make_client(fake_openai, cache=ResponseCache(tmp_path / "c.sqlite")))
    ask(make_client(fake_openai, cache=ResponseCache(tmp_path / "c.sqlite")))
    assert len(fake_openai.chat_requests) == 1


def test_no_cache_neither_reads_nor_writes(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.text("old"), Reply.text("new"), Reply.text("newer"))
    cache = ResponseCache(tmp_path / "cache.sqlite")
    client = make_client(fake_openai, cache=cache)
    ask(client)
    fresh = ask(client, use_cache=False)
    assert fresh.text == "new" and not fresh.cached and len(cache) == 1
    assert ask(client).text == "old" and len(fake_openai.chat_requests) == 2
    unseen = ask(client, use_cache=False, sample=7)
    assert unseen.text == "newer" and len(cache) == 1


def test_two_endpoints_serving_one_model_name_do_not_share_answers(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite")
    with FakeOpenAI() as one, FakeOpenAI() as two:
        one.enqueue(Reply.text("weights A"))
        two.enqueue(Reply.text("weights B"))
        assert ask(make_client(one, cache=cache)).text == "weights A"
        assert ask(make_client(two, cache=cache)).text == "weights B"
        assert len(one.chat_requests) == len(two.chat_requests) == 1


def test_one_endpoint_spelled_two_ways_shares_its_cache(fake_openai, tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite")
    ask(make_client(fake_openai, cache=cache))
    spelled = fake_openai.url.replace("http://", "HTTP://").replace("/v1", "/v1/")
    ask(make_client(fake_openai, cache=cache, base_url=spelled))
    assert len(fake_openai.chat_requests) == 1


def test_base_urls_normalize_to_one_spelling():
    assert normalize_base_url("HTTP://LocalHost:80/v1/") == "http://localhost/v1"
    assert normalize_base_url("https://api.x.com:443/v1") == "https://api.x.com/v1"
    assert normalize_base_url("http://h:8000/v1") == "http://h:8000/v1"
    assert normalize_base_url("http://user:secret@h/v1") == "http://user@h/v1"


def test_sample_index_and_skill_version_are_part_of_the_key(fake_openai, tmp_path):
    client = make_client(fake_openai, cache=ResponseCache(tmp_path / "cache.sqlite"))
    ask(client, sample=0)
    ask(client, sample=1)
    ask(client, sample=1, skill_version="2")
    ask(client, sample=1, skill_version="2")
    assert len(fake_openai.chat_requests) == 3


def test_cache_key_is_stable_and_sensitive():
    base = cache_key("m", [{"role": "user", "content": "x"}], {"temperature": 0.5, "n": 1},
                     skill="s", skill_version="1", endpoint="http://h/v1")
    same = cache_key("m", [{"content": "x", "role": "user"}], {"n": 1, "temperature": 0.5},
                     skill="s", skill_version="1", endpoint="http://H:80/v1/")
    other = cache_key("m", [{"role": "user", "content": "x"}], {"temperature": 0.6, "n": 1},
                      skill="s", skill_version="1", endpoint="http://h/v1")
    elsewhere = cache_key("m", [{"role": "user", "content": "x"}], {"temperature": 0.5, "n": 1},
                          skill="s", skill_version="1", endpoint="http://g/v1")
    assert base == same != other and base != elsewhere and len(base) == 64


def test_cache_is_shared_by_threads(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite")

    def write(offset: int) -> None:
        for i in range(50):
            cache.put(f"k{offset + i}", {"text": str(offset + i)})

    threads = [threading.Thread(target=write, args=(100 * t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 200 and cache.get("k301") == {"text": "301"}


def _write_from_another_process(path: str) -> None:
    cache = ResponseCache(path)
    if cache.get("here") != {"text": "parent"}:
        raise SystemExit(1)
    cache.put("there", {"text": "child"})


def test_cache_is_shared_by_processes(tmp_path):
    path = tmp_path / "cache.sqlite"
    ResponseCache(path).put("here", {"text": "parent"})
    child = multiprocessing.get_context("fork").Process(
        target=_write_from_another_process, args=(str(path),))
    child.start()
    child.join(10)
    assert child.exitcode == 0
    assert ResponseCache(path).get("there") == {"text": "child"}


# --- test helpers ----------------------------------------------------------------------


def test_guard_blocks_other_hosts_and_lets_loopback_through(monkeypatch, fake_openai):
    from conftest_fake_openai import NetworkBlockedError, guard_loopback_only

    blocked = guard_loopback_only(monkeypatch)
    with pytest.raises(NetworkBlockedError):
        socket.create_connection(("203.0.113.7", 443), timeout=1)
    with pytest.raises(NetworkBlockedError):
        socket.getaddrinfo("api.deepseek.com", 443)
    assert blocked == ["203.0.113.7", "api.deepseek.com"]
    assert ask(make_client(fake_openai)).text == "ok"


# --- diagnosis ---------------------------------------------------------------------------


@every_transport
def test_ping_reports_a_working_endpoint(fake_openai, transport):
    result = make_client(fake_openai, transport=transport).ping_sync()
    assert result.ok and "fake-r1" in result.models and "answers" in result.detail


@every_transport
def test_ping_names_a_model_that_is_not_served(fake_openai, transport):
    result = make_client(fake_openai, transport=transport, model="r1-huge").ping_sync()
    assert not result.ok and "'r1-huge' is not served" in result.detail
    assert "fake-r1" in result.detail


@every_transport
def test_ping_names_a_wrong_key(fake_openai, transport):
    fake_openai.api_key = "right"
    result = make_client(fake_openai, transport=transport, api_key="wrong").ping_sync()
    assert not result.ok and result.detail.startswith("401")


@every_transport
def test_ping_names_a_refused_connection(transport):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = ModelConfig(base_url=f"http://127.0.0.1:{port}/v1", model="m", transport=transport)
    result = ModelClient(config).ping_sync(timeout_s=2)
    assert not result.ok and result.detail.startswith("connection refused")


@every_transport
def test_ping_names_a_bad_url(transport):
    config = ModelConfig(base_url="localhost:8000/v1", model="m", transport=transport)
    result = ModelClient(config).ping_sync()
    assert not result.ok and result.detail.startswith("bad base URL")


@every_transport
def test_ping_names_a_timeout(fake_openai, transport):
    fake_openai.latency_s = 1.0
    result = make_client(fake_openai, transport=transport).ping_sync(timeout_s=0.2)
    assert not result.ok and "timeout" in result.detail
