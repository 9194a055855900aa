"""Which domains have a gadget: the template backend's vocabulary.

Gadget modules under `skills/problems/gadgets/` register themselves with
`@register` (defined beside the `Gadget` base, so the gadgets need not import
this module); the first lookup here imports them all.
"""

from __future__ import annotations

import importlib
import pkgutil

from retrolean.skills.problems import gadgets
from retrolean.skills.problems.gadget import REGISTERED, Gadget


def _load_all() -> None:
    for info in pkgutil.iter_modules(gadgets.__path__):
        importlib.import_module(f"{gadgets.__name__}.{info.name}")


def gadget_for(domain: str) -> Gadget:
    """The gadget of a domain id; KeyError if the template backend cannot build it."""
    if not REGISTERED:
        _load_all()
    return REGISTERED[domain]


def gadget_domains() -> list[str]:
    """Every domain id that has a gadget, sorted."""
    if not REGISTERED:
        _load_all()
    return sorted(REGISTERED)
