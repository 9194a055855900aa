"""A content-addressed SQLite cache of model completions.

The key is a SHA-256 of everything that determines an answer: the endpoint
(its normalized base URL, `normalize_base_url`), model name, messages,
sampling parameters (extra request fields included), the skill's name and
version, and the sample index (so "three samples of the same prompt" are
three entries, and a rerun finds each again). The value is the completion as
a JSON object; the caller owns its shape. One file, given by the caller (normally inside the run's
workspace), shared by every thread, asyncio task and process that opens it.

Trade-offs: the endpoint's URL is part of the key, so two servers serving
different weights under one model name never share answers — and moving the
same model behind another URL starts a fresh cache (normalizing the URL
keeps `HTTP://Host:80/v1/` and `http://host/v1` one endpoint). SQLite runs in
WAL mode with `synchronous=NORMAL`: readers never block the writer, several
processes can share the file, and a power cut can lose the last few answers
but never corrupt the file — a lost answer is only a repeated call. Calls are
synchronous; a lookup or insert takes well under a millisecond, so async
callers make them inline rather than paying for a thread hop.

Example:
    cache = ResponseCache(run_dir / "model-cache.sqlite")
    key = cache_key("r1", [{"role": "user", "content": "hi"}], {"temperature": 0.6},
                    skill="caption", skill_version="3", sample=0,
                    endpoint="http://localhost:8000/v1")
    cache.get(key) -> None; cache.put(key, {"text": "hello"}); cache.get(key) -> {"text": "hello"}
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS completions (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    skill TEXT NOT NULL,
    skill_version TEXT NOT NULL,
    created_at REAL NOT NULL,
    value TEXT NOT NULL
)
"""


_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_base_url(url: str) -> str:
    """One spelling per endpoint: scheme and host lower-cased, a default port and trailing
    slashes dropped (the path, e.g. /v1, is kept as it decides what is served).

    Example: normalize_base_url("HTTP://LocalHost:80/v1/") -> "http://localhost/v1"
    """
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a malformed port: keep the text as given, it will fail when called
        return url.strip().rstrip("/")
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    if parts.username or parts.password:
        netloc = f"{parts.username or ''}@{netloc}"  # the password never goes into a key
    return urllib.parse.urlunsplit((scheme, netloc, parts.path.rstrip("/"), parts.query, ""))


def cache_key(model: str, messages: Sequence[Mapping[str, Any]], params: Mapping[str, Any],
              *, skill: str, skill_version: str, sample: int = 0, endpoint: str = "") -> str:
    """The hex SHA-256 of a canonical JSON rendering of everything that fixes an answer.

    `endpoint` is the base URL, normalized here (`normalize_base_url`).
    Example: cache_key("m", [{"role": "user", "content": "x"}], {}, skill="s",
                       skill_version="1", endpoint="http://h/v1") -> "3f1c…" (64 hex digits,
                       stable across runs)
    """
    payload = {"endpoint": normalize_base_url(endpoint), "model": model,
               "messages": [dict(m) for m in messages], "params": dict(params),
               "skill": skill, "skill_version": skill_version, "sample": sample}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """Completions by key in one SQLite file; safe across threads, tasks and processes."""

    def __init__(self, path: Path | str, *, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._connection().execute(_SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use (sqlite3 connections are per thread)."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=self._busy_timeout_s,
                                         isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored value for `key`, or None."""
        row = self._connection().execute(
            "SELECT value FROM completions WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, value: Mapping[str, Any], *, model: str = "", skill: str = "",
            skill_version: str = "") -> None:
        """Store (or replace) the value for `key`; the other fields are for people browsing it."""
        self._connection().execute(
            "INSERT OR REPLACE INTO completions (key, model, skill, skill_version, created_at,"
            " value) VALUES (?, ?, ?, ?, ?, ?)",
            (key, model, skill, skill_version, time.time(),
             json.dumps(dict(value), ensure_ascii=False)))

    def __contains__(self, key: object) -> bool:
        row = self._connection().execute(
            "SELECT 1 FROM completions WHERE key = ?", (key,)).fetchone()
        return row is not None

    def __len__(self) -> int:
        return int(self._connection().execute("SELECT COUNT(*) FROM completions").fetchone()[0])

    def close(self) -> None:
        """Close every connection this object opened (from any thread)."""
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()
