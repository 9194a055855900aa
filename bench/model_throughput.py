"""Throughput of `ModelClient` against a local OpenAI-compatible server with fixed latency.

Starts `tests.fake_openai.FakeOpenAI` in a separate process (its own core
and GIL) answering every chat request after `--latency-ms`, then sends
`--requests` calls through `ModelClient` with `--concurrency` slots and no
cache. With perfect overlap the calls finish in requests / concurrency waves
of one latency each, so the bound is concurrency / latency requests per
second; the script prints the achieved rate, the bound and their ratio
(target: >= 90% at concurrency 64).

Two checks that the server is not the bottleneck: the CPU time per request
of the server process (from its `/fake/stats`) shows it far below one core,
and a first "floor" batch sends the same requests through the transport's
HTTP library bare (one aiohttp session, or sharded `httpx.AsyncClient`s for
the httpx and sdk transports; no ModelClient, retries, cache or pydantic) to
show the rate that library, the server and the loopback allow on this
machine at all.

Figures on the shared 2-core development machine (640 requests, concurrency
64, 200 ms; medians of 3 batches, 3 invocations): aiohttp (auto) 0.2-0.3 ms
of client CPU per request and 93-94% of the bound (bare aiohttp: 95-97%);
httpx 0.7-1.1 ms and 87-90% (bare httpx: ~90%); sdk ~2.3 ms and ~71%.
Besides CPU, what held the rate down were full collections of the cyclic
garbage collector (~100 ms each, every batch or two) while langchain-openai
was loaded and tenacity left ~30 reference cycles per call.

Usage: .venv/bin/python bench/model_throughput.py [--requests 640] [--concurrency 64]
           [--latency-ms 200] [--repeat 3] [--transport auto|aiohttp|httpx|sdk]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import statistics
import time
import urllib.request

import aiohttp
import httpx

from retrolean.tools.generate import (
    CallFailure,
    ChatMessage,
    CompletionRequest,
    ModelClient,
    ModelConfig,
)
from retrolean.tools.generate.fake_server import serve_forever
from retrolean.tools.generate.shards import (
    IDLE_EXPIRY_S,
    SHARD_CONNECTIONS,
    shard_count,
)


def _server_cpu_s(port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/fake/stats", timeout=5) as answer:
        return float(json.load(answer)["cpu_s"])


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


async def _floor(port: int, args: argparse.Namespace, bound: float, library: str) -> None:
    """The same batch through the bare HTTP library: what it, server and loopback allow."""
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    slots = asyncio.Semaphore(args.concurrency)
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency))
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=SHARD_CONNECTIONS,
                          keepalive_expiry=IDLE_EXPIRY_S)
    clients = [httpx.AsyncClient(limits=limits, timeout=30)
               for _ in range(shard_count(args.concurrency))]
    turn = itertools.cycle(clients)

    async def one(index: int) -> None:
        body = {"model": "fake-r1", "max_tokens": 64,
                "messages": [{"role": "user", "content": f"floor {index}"}]}
        async with slots:
            if library == "aiohttp":
                async with session.post(url, json=body) as answer:
                    await answer.json()
            else:
                (await next(turn).post(url, json=body)).json()

    try:
        await asyncio.gather(*(one(i) for i in range(args.concurrency)))
        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(args.requests)))
        rate = args.requests / (time.perf_counter() - started)
    finally:
        await session.close()
        for client in clients:
            await client.aclose()
    print(f"floor (bare {library}, no ModelClient): {rate:.1f} req/s ({rate / bound:.1%} "
          f"of the bound): the most {library}, this server and machine allow")


async def _bench(port: int, args: argparse.Namespace) -> list[float]:
    config = ModelConfig(base_url=f"http://127.0.0.1:{port}/v1", model="fake-r1",
                         concurrency=args.concurrency, max_retries=0, timeout_s=30,
                         transport=args.transport)
    client = ModelClient(config)
    bound = args.concurrency / (args.latency_ms / 1000.0)
    print(f"transport {client.transport}, concurrency {args.concurrency}, latency "
          f"{args.latency_ms:g} ms, bound {bound:.0f} req/s")
    try:
        await _floor(port, args, bound, "aiohttp" if client.transport == "aiohttp" else "httpx")
        await _run(client, args.concurrency, port, bound, "warm-up", 10**6)
        return [await _run(client, args.requests, port, bound, f"run {index + 1}",
                           index * args.requests)
                for index in range(args.repeat)]
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
    args = parser.parse_args()
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve_forever, args=(args.latency_ms / 1000.0, send),
                                     daemon=True)
    server.start()
    try:
        port = receive.recv()
        ratios = asyncio.run(_bench(port, args))
    finally:
        server.terminate()
        server.join(5)
    print(f"ratio to bound: median {statistics.median(ratios):.1%}, best {max(ratios):.1%}, "
          f"worst {min(ratios):.1%}")


if __name__ == "__main__":
    main()
