"""conversation, template process: glue the parts into multi-turn conversations.

The parts stay separate until here. A conversation template is a list of
turns, each naming who speaks and which part it carries; this module renders
the parts (the rigorous version with its formal text, a direct solution from
the checker's witness, related problems for the assistant to offer, the
user's confirmation in the persona's voice) and fills the turns.

Example: a "gap_first" template gives
  user: <missing-domain description> / assistant: <fill-in> /
  user: <full vague description> / assistant: <caption + formal text>
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from retrolean.skills.cards import ConversationTemplate, DomainCard
from retrolean.skills.problems.registry import gadget_domains, gadget_for

VERSION = "template-1"

FENCE = {"smtlib2": "smt2", "lean4": "lean"}
RIGOROUS_OPENERS = (
    "Here is the precise version of the problem.",
    "Written out rigorously, the problem is this.",
    "Let me state it exactly, then give the formal version.",
)
ACKS = {
    "humanities_major": ("Yes, that is it exactly, thank you.",
                         "Yes! That is what I was circling."),
    "stem_on_lsd": ("YES. that's the operator. ok now make it rigorous.", "yes yes exactly."),
    "autodidact": ("That is the term I was missing, yes.",
                   "Yes, that matches what I pieced together."),
    "lazy_busy": ("yep", "yeah that's it", "ya"),
}


@dataclass
class Parts:
    """Everything a conversation can say about one problem."""

    missing: str
    persona: str
    persona_id: str
    fill_in: str
    dropped: str
    caption: str
    formal: str
    language: str
    witness: dict[str, int] | None


def rigorous(parts: Parts, rng: random.Random) -> str:
    """Caption plus the formal text in a fenced block."""
    fence = FENCE.get(parts.language, "")
    opener = rng.choice(RIGOROUS_OPENERS)
    return f"{opener}\n\n{parts.caption}\n\n```{fence}\n{parts.formal.strip()}\n```"


def solution(witness: dict[str, int] | None) -> str:
    """The checker's witness as a readable assignment."""
    if not witness:
        return "The checker found the problem consistent."
    return "One assignment that satisfies everything: " + ", ".join(
        f"{k} = {v}" for k, v in witness.items()) + "."


def related(parts: Parts, cards: dict[str, DomainCard], rng: random.Random, k: int = 2) -> str:
    """The true missing domain among k others, each stated as the piece the user might mean."""
    others = [d for d in gadget_domains() if d in cards and d != parts.dropped]
    options = [parts.dropped, *rng.sample(others, min(k, len(others)))]
    rng.shuffle(options)
    lines = ["Your description could fit a few different problems, depending on the missing piece:"]
    for i, d in enumerate(options, 1):
        sentence = gadget_for(d).describe(gadget_for(d).sample(rng), rng)
        lines.append(f"{i}. If it is {cards[d].name} ({cards[d].need}): {sentence}")
    lines.append("Which of these is closest to what you have in mind?")
    return "\n".join(lines)


def render_part(name: str, parts: Parts, cards: dict[str, DomainCard], rng: random.Random) -> str:
    """The text of one named part."""
    if name == "missing":
        return parts.missing
    if name == "persona":
        return parts.persona
    if name == "fill_in":
        return parts.fill_in
    if name == "rigorous":
        return rigorous(parts, rng)
    if name == "confirm":
        return (f"{parts.fill_in}\n\nSo, putting it back together in your own terms: "
                f"\"{parts.persona}\"\n\nDoes that make sense?")
    if name == "ack":
        return rng.choice(ACKS.get(parts.persona_id, ("Yes, that is what I meant.",)))
    if name == "solve":
        return f"{parts.fill_in}\n\n{rigorous(parts, rng)}\n\n{solution(parts.witness)}"
    if name == "related":
        return related(parts, cards, rng)
    raise ValueError(f"unknown part {name!r}")


def render(template: ConversationTemplate, parts: Parts, cards: dict[str, DomainCard],
           rng: random.Random) -> list[dict[str, str]]:
    """The conversation's messages, role and content per turn."""
    return [{"role": t.role, "content": render_part(t.part, parts, cards, rng)}
            for t in template.turns]
