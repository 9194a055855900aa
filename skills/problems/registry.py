"""Which domains have a gadget: the template backend's vocabulary.

Gadget modules under `skills/problems/gadgets/` register themselves with
`@register` (defined beside the `Gadget` base, so the gadgets need not import
this module); the first lookup here imports them all, under a lock: a fresh process
whose first lookups come from several threads at once (a Ray worker running the
template backend's thread pool) must not see a half-filled registry.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading

from retrolean.skills.problems import gadgets
from retrolean.skills.problems.gadget import REGISTERED, Gadget

_LOADING = threading.Lock()
_loaded = threading.Event()


def _load_all() -> None:
    if _loaded.is_set():
        return
    with _LOADING:
        if not _loaded.is_set():
            for info in pkgutil.iter_modules(gadgets.__path__):
                importlib.import_module(f"{gadgets.__name__}.{info.name}")
            _loaded.set()


def gadget_for(domain: str) -> Gadget:
    """The gadget of a domain id; KeyError if the template backend cannot build it."""
    _load_all()
    return REGISTERED[domain]


def gadget_domains() -> list[str]:
    """Every domain id that has a gadget, sorted."""
    _load_all()
    return sorted(REGISTERED)
