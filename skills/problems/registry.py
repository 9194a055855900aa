"""Which domains have a gadget: the template backend's vocabulary.

Gadget modules under `skills/problems/gadgets/` register themselves with
`@register`; importing this module imports them all.
"""

from __future__ import annotations

import importlib
import pkgutil

from skills.problems.gadget import Gadget

_GADGETS: dict[str, Gadget] = {}


def register(cls: type[Gadget]) -> type[Gadget]:
    """Class decorator: make a gadget available under its domain id."""
    if cls.domain in _GADGETS:
        raise ValueError(f"two gadgets for domain {cls.domain!r}")
    _GADGETS[cls.domain] = cls()
    return cls


def _load_all() -> None:
    from skills.problems import gadgets

    for info in pkgutil.iter_modules(gadgets.__path__):
        importlib.import_module(f"{gadgets.__name__}.{info.name}")


def gadget_for(domain: str) -> Gadget:
    """The gadget of a domain id; KeyError if the template backend cannot build it."""
    if not _GADGETS:
        _load_all()
    return _GADGETS[domain]


def gadget_domains() -> list[str]:
    """Every domain id that has a gadget, sorted."""
    if not _GADGETS:
        _load_all()
    return sorted(_GADGETS)
