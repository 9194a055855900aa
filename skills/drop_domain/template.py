"""drop_domain, template process: remove one domain, voice its need instead.

Starting from a persona description's segments, the dropped domain's segment
becomes the persona voicing the domain's *need* in fresh words, with the
problem's own figures ("I need some way to hand over exactly 83 using no more
than 32 pieces"), sometimes saying which kept quantity it feeds or the
setting. Every link that touched the dropped domain goes (its words would
give the domain away). With the given probability the remaining domains are
re-described through another frame — always the one frame no persona text of
this problem used (`lay.reserved_frame`), so a frame shift really shifts.
The result is checked before it is returned: none of the dropped domain's
keywords, name, lay terms or frame names may be left in it; an offending
segment is written again (a kept one without its figures, the need in other
words), and only if that fails several times does the need fall back to the
card's own phrase.

Example: drop(spec, draft_segments, "primes", persona, cards, Random(0), 0.5)
  -> Dropped(dropped="primes", frame_shifted=True, text="… I feel like I need
     some way to find a few numbers with no way to break them evenly …")
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from retrolean.skills.cards import DomainCard, PersonaCard
from retrolean.skills.persona.base import Draft, NeedHint, Scene, join_segments
from retrolean.skills.persona.template import process_for
from retrolean.skills.problems.spec import ProblemSpec

VERSION = "template-2"
TRIES = 8


@dataclass
class Dropped:
    dropped: str
    frame_shifted: bool
    text: str
    frames: dict[str, str] = field(default_factory=dict)


def choose_dropped(spec: ProblemSpec, rng: random.Random) -> str:
    """Which domain to drop: any of them, uniformly."""
    return rng.choice(spec.domains)


def drop(spec: ProblemSpec, segments: dict[str, str], dropped: str, persona: PersonaCard,
         cards: dict[str, DomainCard], rng: random.Random, frame_shift_rate: float) -> Dropped:
    """The persona description with `dropped` replaced by its need (and maybe reframed)."""
    process = process_for(persona)
    scene = Scene.of(spec, cards)
    gone = scene.views[dropped]
    shifted = rng.random() < frame_shift_rate
    kept = {k: v for k, v in segments.items() if k != dropped and not _touches(k, scene, dropped)}
    voice = process.voice(rng, said=list(kept.values()))
    ties = [lv.b if lv.link.a == dropped else lv.a for lv in scene.links if lv.touches(dropped)]
    tie = None
    if ties:
        other = rng.choice(ties)
        port = next(lv.link.port_b if lv.link.a == dropped else lv.link.port_a
                    for lv in scene.links if lv.touches(dropped)
                    and other.card.id in (lv.link.a, lv.link.b))
        tie = other.quantity(port, rng)
    hint = NeedHint(tie=tie, theme=spec.theme)
    out: dict[str, str] = {}
    frames: dict[str, str] = {}
    for key, text in segments.items():
        if key == dropped:
            out[key] = process.need_segment(gone, voice, hint)
        elif key not in kept:
            continue
        elif key in scene.views and shifted:
            frame = scene.reserved[key]
            frames[key] = frame.name
            out[key] = process.frame_segment(scene.views[key], frame, voice)
        else:
            out[key] = text
    for attempt in range(TRIES):
        offending = [k for k, t in out.items() if gone.mentioned_in(t)]
        if not offending:
            break
        for key in offending:
            if key == dropped:
                out[key] = process.need_segment(gone, voice, NeedHint(theme=spec.theme))
            elif key in frames and attempt < TRIES // 2:
                out[key] = process.frame_segment(scene.views[key], scene.reserved[key], voice)
            elif key in scene.views:
                frames.pop(key, None)
                out[key] = process.domain_segment(scene, scene.views[key], voice, Draft({}, []),
                                                  figures=False)
            else:
                out[key] = ""
    if gone.mentioned_in(out.get(dropped, "")):
        out[dropped] = process.finish(f"I feel like I need {gone.card.need}.")
    return Dropped(dropped=dropped, frame_shifted=shifted and bool(frames),
                   text=join_segments(list(out.values())), frames=frames)


def _touches(key: str, scene: Scene, dropped: str) -> bool:
    """Whether a segment key is a link that touches the dropped domain."""
    if not key.startswith("@link"):
        return False
    index = int(key.removeprefix("@link"))
    return index < len(scene.links) and scene.links[index].touches(dropped)
