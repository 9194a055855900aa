"""Shared fixtures: a hermetic environment, no network but loopback, a temp workspace."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

import retrolean

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
ROOMS = ("agent", "tools", "skills", "recipes", "memory", "traces", "evals")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop early when the installed package lacks a module the checkout has.

    A strict editable install links the files that existed when it ran, so a new
    module needs the install command again; say so instead of failing on imports.
    """
    installed = Path(retrolean.__file__).parent
    if installed.resolve() == ROOT:
        return  # a lenient editable install reads the checkout itself
    missing = [p.relative_to(ROOT) for room in ROOMS for p in (ROOT / room).rglob("*.py")
               if not (installed / p.relative_to(ROOT)).exists()]
    if missing:
        raise pytest.UsageError(
            f"the installed retrolean ({installed}) lacks {missing[0]} and {len(missing) - 1} "
            "more files of this checkout: run `.venv/bin/pip install -e '.[test]' "
            "--config-settings editable_mode=strict` again")


_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address):  # type: ignore[no-untyped-def]
    host = address[0] if isinstance(address, tuple) else None
    if host is not None:
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            ip = None
        if ip is None and host != "localhost" or ip is not None and not ip.is_loopback:
            raise OSError(f"test tried to reach {host!r}: only loopback is allowed in tests")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No retrolean/OpenAI settings leak in from the developer's shell; no internet."""
    for key in list(os.environ):
        if key.startswith(("RETROLEAN_", "OPENAI_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A path for a fresh workspace (not created)."""
    return tmp_path / "ws"
