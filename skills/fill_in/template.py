"""fill_in, template process: the assistant names the missing domain and how it meets the need.

The turn recognises the need in fresh words (never the catalog's phrase),
names the domain, explains it through one of its everyday pictures or names,
says which of the user's quantities it ties into, and then states the part
precisely — the gadget's own sentence and the links that touch it — in a
paragraph that opens by saying these figures are the assistant's choice
(the user never gave them: they described a gap). The order of the
explanation and the closing question vary. Every draw comes from the given
generator.

Example: fill_in(spec, "primes", cards, Random(0)) ->
  "The piece you're missing is prime numbers: its whole job is to choose numbers
   that cannot be split into smaller equal groups. …

   My picks for the figures, to make it concrete: Pick 2 prime numbers …"
"""

from __future__ import annotations

import random

from retrolean.skills.cards import DomainCard
from retrolean.skills.persona.base import Scene, sentence_case
from retrolean.skills.persona.grammar import Voice, load_grammar
from retrolean.skills.problems.spec import ProblemSpec, compile_spec, describe_link
from retrolean.skills.wording import figures

VERSION = "template-2"


def fill_in(spec: ProblemSpec, domain: str, cards: dict[str, DomainCard],
            rng: random.Random) -> str:
    """The assistant's explanation of the missing domain in this problem."""
    scene = Scene.of(spec, cards)
    view = scene.views[domain]
    card = view.card
    voice = Voice(load_grammar("retrolean.skills.fill_in", "grammar.yaml"), rng)

    def say(symbol: str, **slots: str) -> str:
        return voice.fresh(lambda: sentence_case(voice.expand(symbol, **slots)))

    opening = say("recognise", name=card.name, core=view.need_core(rng, figures=False))
    frame = rng.choice([f for f in card.frames if not figures(f.text)] or card.frames)
    explain = say("explain", lay=view.plain_term(rng), frame=frame.text)
    links = [lv for lv in scene.links if lv.touches(domain)]
    kept = [(lv.b, lv.link.port_b) if lv.link.a == domain else (lv.a, lv.link.port_a)
            for lv in links]
    ties = ""
    if kept:
        names = [f"your {v.quantity(port, rng)}" for v, port in kept]
        ties = say("ties", ties=" and ".join(names))
    body = [opening, explain, ties] if rng.random() < 0.6 else [opening, ties, explain]
    parts = {s.domain: s.part for s in compile_spec(spec).sections}
    statement = [view.gadget.describe(view.params, rng)] + [
        describe_link(lv.link, parts[lv.link.a].port(lv.link.port_a),
                      parts[lv.link.b].port(lv.link.port_b)) for lv in links]
    precise = sentence_case(voice.expand("declare")) + " " + " ".join(statement)
    paragraphs = [" ".join(p for p in body if p), precise]
    if rng.random() < 0.5:
        paragraphs.append(say("check_back"))
    return "\n\n".join(p for p in paragraphs if p)

