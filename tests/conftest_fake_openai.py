"""Pytest fixtures for the scripted OpenAI server, and a guard that keeps tests on loopback.

Wire them in from tests/conftest.py with either
    pytest_plugins = ["conftest_fake_openai"]
or  from conftest_fake_openai import fake_openai, fake_openai_server, loopback_only
(the second form lets ruff see the names; add `# noqa: F401`).

Fixtures:
- `fake_openai_server` (session): one `FakeOpenAI` for the whole run.
- `fake_openai` (function): the same server, reset before the test (empty
  script, no recorded requests, default behaviour), so tests stay independent
  without paying a thread start each.
- `loopback_only` (function): fails the test if anything in it tried to open a
  connection to, or resolve, a host other than loopback. Make it autouse in
  conftest.py to cover the whole suite:
      @pytest.fixture(autouse=True)
      def _no_internet(loopback_only): ...

Trade-off of the guard: it patches `socket.socket.connect`/`connect_ex` and
`socket.getaddrinfo` (which every Python HTTP client, sync or asyncio, goes
through), not the C library, so a C extension opening its own sockets is not
caught. A blocked attempt raises `NetworkBlockedError` where it happens, and
because libraries often turn that into their own "connection error", the
fixture also fails the test at teardown, naming each host tried.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from retrolean.tools.generate.fake_server import FakeOpenAI
from retrolean.tools.generate.rate_budget import forget_budgets

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class NetworkBlockedError(ConnectionRefusedError):
    """Raised when a test tries to reach a host other than loopback."""


def is_loopback(host: Any) -> bool:
    """Whether a host name or address is loopback (127.0.0.0/8, ::1, localhost).

    Example: is_loopback("127.0.0.1") -> True; is_loopback("api.deepseek.com") -> False
    """
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def guard_loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Patch sockets so connecting to or resolving a non-loopback host raises; returns the
    list that collects each blocked host (for a teardown check)."""
    blocked: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(address: Any, family: int) -> None:
        if family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) \
                and not is_loopback(address[0]):
            blocked.append(str(address[0]))
            raise NetworkBlockedError(f"test tried to reach {address[0]} (only loopback allowed)")

    def connect(self: socket.socket, address: Any) -> None:
        check(address, self.family)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address, self.family)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_loopback(host):
            blocked.append(str(host))
            raise NetworkBlockedError(f"test tried to resolve {host} (only loopback allowed)")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return blocked


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Block non-loopback connections for one test and fail it if any was tried."""
    blocked = guard_loopback_only(monkeypatch)
    yield blocked
    if blocked:
        pytest.fail(f"test tried to reach non-loopback hosts: {sorted(set(blocked))}")


@pytest.fixture(scope="session")
def fake_openai_server() -> Iterator[FakeOpenAI]:
    """One scripted OpenAI-compatible server for the session."""
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAI) -> FakeOpenAI:
    """The session's scripted server, reset for this test (and no 429 pause or rate estimate
    of an earlier test held against its URL)."""
    fake_openai_server.reset()
    forget_budgets()
    return fake_openai_server
