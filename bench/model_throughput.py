"""Throughput of `ModelClient` against a local OpenAI-compatible server with fixed latency.

Starts `retrolean.tools.generate.fake_server.FakeOpenAI` in a separate process (its own core
and GIL) answering every chat request after `--latency-ms`, then sends
`--requests` calls through `ModelClient` with `--concurrency` slots and no
cache. With perfect overlap the calls finish in requests / concurrency waves
of one latency each, so the bound is concurrency / latency requests per
second; the script prints the achieved rate, the bound and their ratio
(target: >= 90% at concurrency 64).

Two checks that the server is not the bottleneck: the CPU time per request
of the server process (from its `/fake/stats`) shows it far below one core,
and a "floor" batch sends the same requests through the transport's HTTP
library bare (one aiohttp session, or sharded `httpx.AsyncClient`s for the
httpx and sdk transports, under an asyncio.Semaphore; no ModelClient,
retries, cache or pydantic) to show the rate that library, the server and the
loopback allow on this machine at all. The floor keeps the decoded answers,
as any client returns its answers (until this issue it dropped them, which
spares it garbage-collector work a real client cannot skip: at concurrency
256 that was worth a few percent of the floor's rate).

`--rate-headers` makes the server announce OpenAI-style rate limits on every
answer (`x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, limits far
above what the run can reach, so none binds): the client then reads them and
keeps its per-endpoint rate budget (tools/generate/rate_budget.py) up to date
on every answer, which is the work this mode measures. `--limit-rps N` makes
a limit of N requests per second bind instead (the server answers 429 past
it; no floor batch, which would only drain the bucket), to see the budget
pace the client: the rate should sit just under N with few or no 429s.

Each repeat runs the bare floor batch and then the ModelClient batch, so
the two are measured side by side under the same machine load; the last
line gives ModelClient's rate as a share of the floor's, with the 1-minute
load average (`os.getloadavg`) before and after — on a shared machine a
figure taken under a rising load says more about the neighbours than the
client.

Figures on the shared 2-core development machine (640 requests, concurrency
64, 200 ms; medians of 3 batches, 3 invocations): aiohttp (auto) 0.2-0.3 ms
of client CPU per request and 93-94% of the bound (bare aiohttp: 95-97%);
httpx 0.7-1.1 ms and 87-90% (bare httpx: ~90%); sdk ~2.3 ms and ~71%.
Besides CPU, what held the rate down were full collections of the cyclic
garbage collector (~100 ms each, every batch or two) while langchain-openai
was loaded and tenacity left ~30 reference cycles per call.

Figures after issue 13 (per-endpoint rate budget, O(1) slots, a worker pool
per batch), on the same machine while other engineers' test runs held the
1-minute load at 7.5-10 on its 2 cores, so read them as lower bounds, taken
side by side: concurrency 64, 640 requests: ModelClient 86-87% of the bound,
the bare floor 87-89%, ModelClient / bare 97-100%; concurrency 256, 2560
requests, rate-limit headers on: ModelClient 56-60% of the bound, the floor
66-70%, ModelClient / bare 79-89% (medians of 3 repeats, 5 invocations; the
figure drifts with the load). What is left of the gap is garbage-collector
work: four pydantic models per request (request, message, choice,
completion) and the objects they hold; with the collector off, the client
spends ~0.03 ms per request more than the bare loop, with it on ~0.06-0.08.
The rate-limit headers cost nothing measurable (within the noise of runs
without them). `--limit-rps 100`: 100-105 requests/s, about 2% of requests
answered 429 (each pausing every caller until its Retry-After).
Re-measured after merging issues 11 and 12 (1-minute load 5.6-6.6): concurrency
64: 94.7% of the bound (bare floor 93.1%), ModelClient / bare 102% median;
concurrency 256 with rate-limit headers: 72.2% (floor 81.9%), ModelClient /
bare 89.7% median (88-93%). With the garbage collector off for the whole
process the 256 figure was 86.6%: on this machine the gap is client CPU per
request (0.22-0.25 ms against the bare loop's 0.17-0.20), not collections.

Usage: .venv/bin/python bench/model_throughput.py [--requests 640] [--concurrency 64]
           [--latency-ms 200] [--repeat 3] [--transport auto|aiohttp|httpx|sdk]
           [--rate-headers] [--limit-rps N]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import statistics
import time
import urllib.request
from typing import Any

import aiohttp
import httpx

from retrolean.tools.generate import (
    CallFailure,
    ChatMessage,
    CompletionRequest,
    ModelClient,
    ModelConfig,
)
from retrolean.tools.generate.fake_server import RateLimit, serve_forever
from retrolean.tools.generate.shards import (
    IDLE_EXPIRY_S,
    SHARD_CONNECTIONS,
    shard_count,
)


def _server_stats(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/fake/stats", timeout=5) as answer:
        return json.load(answer)


def _server_cpu_s(port: int) -> float:
    return float(_server_stats(port)["cpu_s"])


def _requests(count: int, offset: int) -> list[CompletionRequest]:
    return [CompletionRequest(messages=[ChatMessage(role="user", content=f"problem {offset + i}")],
                              temperature=0.6, max_tokens=64, skill="bench", use_cache=False)
            for i in range(count)]


async def _run(client: ModelClient, count: int, port: int, bound: float, label: str,
               offset: int) -> float:
    """One timed batch; prints its figures and returns achieved / bound."""
    server_before = _server_cpu_s(port)
    cpu_before = time.process_time()
    started = time.perf_counter()
    results = await client.acomplete_many(_requests(count, offset))
    wall = time.perf_counter() - started
    client_cpu = time.process_time() - cpu_before
    server_cpu = _server_cpu_s(port) - server_before
    failures = sum(isinstance(r, CallFailure) for r in results)
    rate = count / wall
    print(f"{label}: {count} requests in {wall:.2f} s = {rate:.1f} req/s ({rate / bound:.1%} "
          f"of {bound:.0f}); failures {failures}; CPU per request: client "
          f"{client_cpu / count * 1000:.2f} ms, server {server_cpu / count * 1000:.2f} ms "
          f"(server busy {server_cpu / wall:.0%} of one core)")
    return rate / bound


async def _floor(port: int, args: argparse.Namespace, bound: float, library: str,
                 offset: int) -> float:
    """The same batch through the bare HTTP library: what it, server and loopback allow;
    prints and returns its rate / bound."""
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    slots = asyncio.Semaphore(args.concurrency)
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency))
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=SHARD_CONNECTIONS,
                          keepalive_expiry=IDLE_EXPIRY_S)
    clients = [httpx.AsyncClient(limits=limits, timeout=30)
               for _ in range(shard_count(args.concurrency))]
    turn = itertools.cycle(clients)

    async def one(index: int) -> Any:
        body = {"model": "fake-r1", "max_tokens": 64,
                "messages": [{"role": "user", "content": f"floor {offset + index}"}]}
        async with slots:
            if library == "aiohttp":
                async with session.post(url, json=body) as answer:
                    return await answer.json()
            return (await next(turn).post(url, json=body)).json()

    try:
        await asyncio.gather(*(one(i) for i in range(args.concurrency)))
        cpu_before = time.process_time()
        started = time.perf_counter()
        answers = await asyncio.gather(*(one(i) for i in range(args.requests)))
        rate = len(answers) / (time.perf_counter() - started)
        cpu_ms = (time.process_time() - cpu_before) / args.requests * 1000
    finally:
        await session.close()
        for client in clients:
            await client.aclose()
    print(f"floor (bare {library}, no ModelClient): {rate:.1f} req/s ({rate / bound:.1%} "
          f"of the bound; client CPU {cpu_ms:.2f} ms per request): the most {library}, this "
          "server and machine allow")
    return rate / bound


async def _bench(port: int, args: argparse.Namespace) -> list[tuple[float, float]]:
    """(floor, ModelClient) shares of the bound, per repeat."""
    config = ModelConfig(base_url=f"http://127.0.0.1:{port}/v1", model="fake-r1",
                         concurrency=args.concurrency, max_retries=0 if not args.limit_rps
                         else 8, timeout_s=30, transport=args.transport)
    client = ModelClient(config)
    bound = args.concurrency / (args.latency_ms / 1000.0)
    library = "aiohttp" if client.transport == "aiohttp" else "httpx"
    print(f"transport {client.transport}, concurrency {args.concurrency}, latency "
          f"{args.latency_ms:g} ms, bound {bound:.0f} req/s, rate-limit headers "
          f"{'on' if args.rate_headers or args.limit_rps else 'off'}")
    try:
        await _run(client, args.concurrency, port, bound, "warm-up", 10**6)
        pairs = []
        for index in range(args.repeat):
            # under a binding limit a bare loop would only drain the bucket the client reads
            floor = (await _floor(port, args, bound, library, 10**7 + index * args.requests)
                     if not args.limit_rps else float("nan"))
            ours = await _run(client, args.requests, port, bound, f"run {index + 1}",
                              index * args.requests)
            pairs.append((floor, ours))
        return pairs
    finally:
        await client.aclose()


def main() -> None:
    """Start the server process, run the benchmark, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=640)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--transport", choices=["auto", "aiohttp", "httpx", "sdk"], default="auto")
    parser.add_argument("--rate-headers", action="store_true",
                        help="the server announces (non-binding) OpenAI-style rate limits")
    parser.add_argument("--limit-rps", type=int, default=0,
                        help="the server enforces this many requests per second (429 past it)")
    args = parser.parse_args()
    limit = None
    if args.limit_rps:
        limit = RateLimit(requests=args.limit_rps, tokens=None, window_s=1.0)
    elif args.rate_headers:
        limit = RateLimit(requests=10**9, tokens=10**12, window_s=60.0)
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve_forever, daemon=True, args=(
        args.latency_ms / 1000.0, send, ("fake-r1",), limit))
    load_before = os.getloadavg()[0]
    server.start()
    try:
        port = receive.recv()
        pairs = asyncio.run(_bench(port, args))
        limited = _server_stats(port).get("rate_limited", 0)
    finally:
        server.terminate()
        server.join(5)
    floors = [f for f, _ in pairs]
    ratios = [r for _, r in pairs]
    shares = [r / f for f, r in pairs]
    load = f"load average {load_before:.2f} -> {os.getloadavg()[0]:.2f}"
    print(f"ratio to bound: median {statistics.median(ratios):.1%}, best {max(ratios):.1%}, "
          f"worst {min(ratios):.1%}; bare floor median {statistics.median(floors):.1%}")
    if args.limit_rps:
        bound = args.concurrency / (args.latency_ms / 1000.0)
        print(f"limit {args.limit_rps} requests/s = {args.limit_rps / bound:.1%} of the "
              f"bound; 429s from the server: {limited}; {load}")
        return
    print(f"ModelClient / bare {'aiohttp' if args.transport in ('auto', 'aiohttp') else 'httpx'}"
          f" (same repeat): median {statistics.median(shares):.1%}, best {max(shares):.1%}, "
          f"worst {min(shares):.1%}; 429s from the server: {limited}; {load}")


if __name__ == "__main__":
    main()
