"""Throughput of `ModelClient` against a local OpenAI-compatible server with fixed latency.

Starts `tests.fake_openai.FakeOpenAI` in a separate process (so it has its
own core and its own GIL) answering every chat request after `--latency-ms`,
then sends `--requests` calls through `ModelClient` with `--concurrency`
slots and no cache. With perfect overlap the client finishes in
requests / concurrency waves of one latency each, so the bound is
concurrency / latency requests per second; the script prints the achieved
rate, the bound and their ratio (target: >= 90% at concurrency 64).

It also prints the CPU seconds spent per request by the client process and
by the server process (from the server's `/fake/stats`), which shows which
side limits the rate: a server well under one core is not the bottleneck.

Usage: .venv/bin/python bench/model_throughput.py [--requests 640] [--concurrency 64]
                                                  [--latency-ms 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fake_openai import serve_forever  # noqa: E402
from tools.generate import (  # noqa: E402
    CallFailure,
    ChatMessage,
    CompletionRequest,
    ModelClient,
    ModelConfig,
)


def _server_cpu_s(port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/fake/stats", timeout=5) as answer:
        return float(json.load(answer)["cpu_s"])


def _requests(count: int, offset: int) -> list[CompletionRequest]:
    return [CompletionRequest(messages=[ChatMessage(role="user", content=f"problem {offset + i}")],
                              temperature=0.6, max_tokens=64, skill="bench", use_cache=False)
            for i in range(count)]


async def _run(client: ModelClient, count: int, port: int, label: str, offset: int) -> float:
    server_before = _server_cpu_s(port)
    cpu_before = time.process_time()
    started = time.perf_counter()
    results = await client.acomplete_many(_requests(count, offset))
    wall = time.perf_counter() - started
    client_cpu = time.process_time() - cpu_before
    server_cpu = _server_cpu_s(port) - server_before
    failures = sum(isinstance(r, CallFailure) for r in results)
    rate = count / wall
    bound = client.config.concurrency / (_LATENCY_S or 1e-9)
    print(f"{label}: {count} requests in {wall:.2f} s = {rate:.1f} req/s; bound {bound:.1f} "
          f"req/s; ratio {rate / bound:.1%}; failures {failures}; CPU per request: client "
          f"{client_cpu / count * 1000:.2f} ms, server {server_cpu / count * 1000:.2f} ms "
          f"(server busy {server_cpu / wall:.0%} of one core)")
    return rate / bound


_LATENCY_S = 0.2


async def _bench(port: int, args: argparse.Namespace) -> list[float]:
    config = ModelConfig(base_url=f"http://127.0.0.1:{port}/v1", model="fake-r1",
                         concurrency=args.concurrency, max_retries=0, timeout_s=30)
    client = ModelClient(config)
    ratios = []
    try:
        await _run(client, args.concurrency, port, "warm-up", 10**6)
        for index in range(args.repeat):
            ratios.append(await _run(client, args.requests, port, f"run {index + 1}",
                                     index * args.requests))
    finally:
        await client.aclose()
    return ratios


def main() -> None:
    """Start the server process, run the benchmark, print the figures."""
    global _LATENCY_S
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=640)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    _LATENCY_S = args.latency_ms / 1000.0
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve_forever, args=(_LATENCY_S, send), daemon=True)
    server.start()
    try:
        port = receive.recv()
        ratios = asyncio.run(_bench(port, args))
    finally:
        server.terminate()
        server.join(5)
    print(f"best ratio {max(ratios):.1%}, median {sorted(ratios)[len(ratios) // 2]:.1%} "
          f"(concurrency {args.concurrency}, latency {args.latency_ms:g} ms)")


if __name__ == "__main__":
    main()
