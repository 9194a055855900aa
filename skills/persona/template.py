"""persona, template process: pick the persona's own process and run it.

Example: describe(spec, cards, personas["lazy_busy"], Random(0)).text ->
  "quick q. the colouring-in thing, 5 vertices. …"
"""

from __future__ import annotations

import random

from retrolean.memory.errors import UserError
from retrolean.skills.cards import DomainCard, PersonaCard
from retrolean.skills.persona.autodidact import Autodidact
from retrolean.skills.persona.base import Draft, PersonaProcess
from retrolean.skills.persona.humanities_major import HumanitiesMajor
from retrolean.skills.persona.lazy_busy import LazyBusy
from retrolean.skills.persona.stem_on_lsd import StemOnLsd
from retrolean.skills.problems.spec import ProblemSpec

VERSION = "template-2"
PROCESSES: dict[str, type[PersonaProcess]] = {
    p.id: p for p in (HumanitiesMajor, StemOnLsd, Autodidact, LazyBusy)
}


def process_for(card: PersonaCard) -> PersonaProcess:
    """The generative process of a persona card."""
    try:
        return PROCESSES[card.id](card)
    except KeyError:
        raise UserError(
            f"persona {card.id!r} has no template process (known: {', '.join(PROCESSES)}); "
            "it can only be used with a model backend"
        ) from None


def describe(spec: ProblemSpec, cards: dict[str, DomainCard], persona: PersonaCard,
             rng: random.Random) -> Draft:
    """The problem described in the persona's voice."""
    return process_for(persona).describe(spec, cards, rng)
