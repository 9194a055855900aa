"""Sharded httpx connection pools, for the transports built on httpx (httpx, sdk).

httpcore's connection pool scans all its connections (and polls each idle
socket) every time a request is queued or finished, so one pool of 64
connections spends ~10 ms of CPU per request (measured with
bench/model_throughput.py). The httpx-based transports therefore use
`shard_count(concurrency)` clients of at most `SHARD_CONNECTIONS` keep-alive
connections each, and a request goes to the client with the fewest requests
in flight (the caller's semaphore bounds the total, so a shard never holds
more than its share).

Trade-off: connections are not shared across shards, so a burst smaller than
the concurrency may open a connection where another shard has one idle. The
aiohttp transport does not need this: its connector keeps idle connections
in a queue and takes one without a scan.
"""

from __future__ import annotations

from typing import Any

SHARD_CONNECTIONS = 4
IDLE_EXPIRY_S = 4.0  # under the 5 s keep-alive timeout of uvicorn (vLLM) and others


def shard_count(concurrency: int) -> int:
    """How many HTTP clients carry `concurrency` requests, SHARD_CONNECTIONS each.

    Example: shard_count(64) -> 16; shard_count(1) -> 1
    """
    return max(1, -(-concurrency // SHARD_CONNECTIONS))


class Shards:
    """Clients that share the load: each request goes to the one with the fewest in flight."""

    def __init__(self, clients: list[Any]) -> None:
        self.clients = clients
        self._load = [0] * len(clients)

    def take(self) -> int:
        """The index of the least-loaded client, now counted as carrying one more request."""
        index = min(range(len(self._load)), key=self._load.__getitem__)
        self._load[index] += 1
        return index

    def give_back(self, index: int) -> None:
        """Count one request of client `index` as finished."""
        self._load[index] -= 1

    async def aclose(self) -> None:
        """Close every client."""
        for client in self.clients:
            await client.aclose()
