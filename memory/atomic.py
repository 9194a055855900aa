"""Atomic file writes: write beside the target, fsync, then rename over it.

A reader never sees a half-written file; a crash leaves the old file or the
new one, plus at worst a stray `.tmp-*` file that the next write ignores. The
new file gets the permissions any other tool would give it: 0666 less the
umask (the kernel applies it, as `open(2)` does), or the old file's mode when
one is replaced. (`tempfile.mkstemp` would make every file 0600.)
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path


def write_text_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step."""
    write_lines_atomic(path, [text])


def _open_beside(path: Path) -> tuple[int, Path]:
    """A new temporary file next to `path`, created 0666 less the umask."""
    while True:
        tmp = path.with_name(f".tmp-{path.name}-{secrets.token_hex(4)}")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def write_lines_atomic(path: Path, chunks: Iterable[str]) -> None:
    """Replace `path` with the concatenated chunks in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _open_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            with contextlib.suppress(FileNotFoundError):  # a replaced file keeps its mode
                os.fchmod(f.fileno(), stat.S_IMODE(path.stat().st_mode))
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
