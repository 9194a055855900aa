"""The shared shape of a persona's generative process.

A persona process writes a description segment by segment and keeps the
segments under their own keys — one per domain, one per link, and its own
openings, asides and closings, which never name a domain — so a later step
can drop one domain and voice its *need* instead, re-describe the rest in
another frame, or hand a conversation just the part it needs, in the same
voice. How a persona orders its segments, what it leaves out, where it
digresses, how it misdescribes a link and which slips it makes is its own
code (one module per persona) and its own grammar (`grammars/<id>.yaml`);
only the assembly is shared here. Every draw comes from the text's own
generator, so the same seed gives the same text.
"""

from __future__ import annotations

import random
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from retrolean.skills.cards import DomainCard, Frame, PersonaCard
from retrolean.skills.persona.grammar import Voice, capitalise, load_grammar
from retrolean.skills.persona.lay import DomainView, LinkView, reserved_frame, spec_key, views_of
from retrolean.skills.problems.spec import ProblemSpec
from retrolean.skills.wording import NUMBER_WORDS, number_word

SCOPE_SYMBOL = {"item": "one_of", "each": "each_of", "sum": "all_of"}  # grammar symbol per scope
RELATION_SYMBOL = {"equal": "link_equal", "offset": "link_offset", "at_most": "link_below"}
TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy",
        8: "eighty", 9: "ninety"}
_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([a-z])")


def rough_number(n: int) -> str:
    """A number as someone says it from memory: small ones spelled out, big ones rounded.

    Example: rough_number(7) -> "seven"; rough_number(83) -> "eighty-odd"
    """
    if 0 <= n < len(NUMBER_WORDS):
        return number_word(n)
    if n < 100:
        return f"{TENS[n // 10]}-odd" if n % 10 else TENS[n // 10]
    if n < 200:
        return "a hundred or so"
    return "a few hundred" if n < 1000 else "thousands"


def sentence_case(text: str) -> str:
    """Every sentence starting with a capital. Example: "ok. so 5." -> "Ok. So 5."."""
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), capitalise(text))


class Misremembering:
    """A way of saying figures that, when `active`, gets the first one above `above` wrong —
    and says that same wrong figure wherever the same number comes up again in the phrase.

    Example: with wrong=lambda n: 2 * n, "{n}-by-{n} board" for n = 8 -> "16-by-16 board".
    """

    def __init__(self, active: bool, wrong: Callable[[int], int], say: Callable[[int], str],
                 note: Callable[[int, int], None], above: int = 1) -> None:
        self.active, self.wrong, self.say, self.note, self.above = active, wrong, say, note, above
        self.swapped: dict[int, int] = {}

    def __call__(self, n: int) -> str:
        if n in self.swapped:
            return self.say(self.swapped[n])
        if self.active and n > self.above:
            self.active = False
            self.swapped[n] = self.wrong(n)
            self.note(self.swapped[n], n)
            return self.say(self.swapped[n])
        return self.say(n)


@dataclass
class Draft:
    """A persona description: segments by key, in order, the slips made, the frames used."""

    segments: dict[str, str]
    errors: list[str]
    frames: dict[str, str] = field(default_factory=dict)  # domain -> frame name used

    @property
    def text(self) -> str:
        return join_segments(list(self.segments.values()))

    def add(self, key: str, text: str) -> None:
        """Append a segment (an empty one is left out)."""
        if text.strip():
            self.segments[key] = text


def join_segments(segments: list[str]) -> str:
    """Segments joined with single spaces (a segment opening with a line break keeps it)."""
    out = ""
    for s in segments:
        if not s or not s.strip():
            continue
        sep = "\n" if s.startswith("\n") else " "
        out = s.strip() if not out else out + sep + s.strip()
    return out


SCENE_CACHE = 512
_SCENES: dict[tuple[str, int], Scene] = {}


@dataclass(frozen=True)
class Scene:
    """The problem as a persona sees it: domains in the spec's order, links, its setting."""

    spec: ProblemSpec
    views: dict[str, DomainView]
    links: list[LinkView]
    reserved: dict[str, Frame]  # per domain, the frame kept back for a frame shift
    cards: dict[str, DomainCard] = field(default_factory=dict, compare=False, repr=False)

    @property
    def theme(self) -> str | None:
        return self.spec.theme

    @classmethod
    def of(cls, spec: ProblemSpec, cards: dict[str, DomainCard]) -> Scene:
        """The scene of a problem; one record's personas, drop, fill-in and conversations
        share it (kept for the last few hundred problems, since building the parts is
        most of the cost)."""
        key = (spec_key(spec), id(cards))
        scene = _SCENES.get(key)
        if scene is None or scene.cards is not cards:
            views, links = views_of(spec, cards)
            scene = cls(spec, views, links,
                        {d: reserved_frame(spec, d, cards[d]) for d in views}, cards)
            _SCENES[key] = scene
            if len(_SCENES) > SCENE_CACHE:
                del _SCENES[next(iter(_SCENES))]
        return scene

    def frames_for(self, domain: str) -> list[Frame]:
        """The frames a persona may use for a domain: all but the reserved one."""
        reserved = self.reserved[domain]
        return [f for f in self.views[domain].card.frames if f != reserved]


@dataclass(frozen=True)
class NeedHint:
    """What a persona may say around a need: the quantity it feeds, the setting."""

    tie: str | None = None  # lay name of a kept quantity the missing piece was linked to
    theme: str | None = None


class PersonaProcess(ABC):
    """One persona's way of describing a problem; subclasses are the personas."""

    id: str
    lowercase = False

    def __init__(self, card: PersonaCard) -> None:
        self.card = card
        self.noise = card.temperature  # higher temperature, more slips and omissions
        self.grammar = load_grammar("retrolean.skills.persona", f"grammars/{self.id}.yaml")

    def voice(self, rng: random.Random, said: list[str] | tuple[str, ...] = ()) -> Voice:
        """A fresh text in this persona's grammar (sentences in `said` count as said)."""
        return Voice(self.grammar, rng, said)

    def finish(self, text: str) -> str:
        """The persona's casing of a finished segment."""
        return text.lower() if self.lowercase else sentence_case(text)

    def say(self, voice: Voice, symbol: str, **slots: str) -> str:
        """`symbol` in this persona's voice, cased, never a sentence the text already has."""
        return voice.fresh(lambda: self.finish(voice.expand(symbol, **slots)))

    def noted(self, voice: Voice, draft: Draft, make: Callable[[Draft], str]) -> str:
        """A fresh segment from `make`, whose slips and frames (noted on the scratch draft it
        is given) reach `draft` only for the attempt that is kept."""
        kept = Draft({}, [])

        def once() -> str:
            nonlocal kept
            kept = Draft({}, [])
            return self.finish(make(kept))

        text = voice.fresh(once)
        if text:
            draft.errors += kept.errors
            draft.frames.update(kept.frames)
        return text

    def describe(self, spec: ProblemSpec, cards: dict[str, DomainCard],
                 rng: random.Random) -> Draft:
        """A full lossy description of the problem in this persona's voice."""
        draft = Draft({}, [])
        self.compose(Scene.of(spec, cards), self.voice(rng), draft)
        return draft

    @abstractmethod
    def compose(self, scene: Scene, voice: Voice, draft: Draft) -> None:
        """Write the description into `draft`: order, omissions and asides are the persona's."""

    @abstractmethod
    def domain_segment(self, scene: Scene, view: DomainView, voice: Voice, draft: Draft,
                       figures: bool = True) -> str:
        """This persona's words for one domain (slips to draft.errors, frames to draft.frames)."""

    @abstractmethod
    def frame_segment(self, view: DomainView, frame: Frame, voice: Voice) -> str:
        """This persona's words for a domain seen through another frame."""

    # how a persona voices a need: its figures, how many conditions, how often it adds a tie
    need_conditions: tuple[int, ...] = (1,)
    tie_rate = 0.5
    theme_rate = 0.3

    def number(self, n: int) -> str:
        """How this persona says a figure in a need."""
        return str(n)

    def need_slots(self, voice: Voice) -> dict[str, str]:
        """Extra slots the persona's `need` sentences use."""
        return {}

    def need_segment(self, view: DomainView, voice: Voice, hint: NeedHint) -> str:
        """This persona voicing the need of a domain it does not know it is missing."""
        def make() -> str:
            core = view.need_core(voice.rng, self.number,
                                  conditions=voice.rng.choice(self.need_conditions))
            parts = [voice.expand("need", core=core, **self.need_slots(voice))]
            if hint.tie and voice.chance(self.tie_rate):
                parts.append(voice.expand("need_tie", tie=hint.tie))
            elif hint.theme and voice.chance(self.theme_rate):
                parts.append(voice.expand("need_theme", theme=hint.theme))
            return self.finish(" ".join(parts))

        return voice.fresh(make)

    def link_sides(self, link: LinkView, voice: Voice) -> tuple[str, str]:
        """The two quantities a link ties, each named in this voice for the link's scope."""
        scope = SCOPE_SYMBOL[link.link.scope]
        return (voice.expand(scope, q=link.a.quantity(link.link.port_a, voice.rng)),
                voice.expand(scope, q=link.b.quantity(link.link.port_b, voice.rng)))

    @abstractmethod
    def link_segment(self, link: LinkView, voice: Voice, draft: Draft) -> str:
        """This persona's words for two quantities being tied together ('' to leave it out)."""

    # --- shared moves of a composition -----------------------------------------------------

    def add_opening(self, scene: Scene, voice: Voice, draft: Draft, theme_rate: float) -> None:
        """The opening, set in the problem's theme at `theme_rate` when it has one."""
        if scene.theme and voice.chance(theme_rate):
            draft.add("@opening", self.say(voice, "opening_theme", theme=scene.theme))
        else:
            draft.add("@opening", self.say(voice, "opening"))

    def add_links(self, scene: Scene, voice: Voice, draft: Draft,
                  mentioned: set[str] | None = None, links: list[LinkView] | None = None) -> None:
        """Every link not said yet whose two domains are both `mentioned` (all when None), in
        the given order (the problem's by default)."""
        for link in scene.links if links is None else links:
            key = f"@link{link.index}"
            if key not in draft.segments and (
                    mentioned is None or {link.link.a, link.link.b} <= mentioned):
                draft.add(key, self.link_segment(link, voice, draft))

    # --- lines a conversation needs in this voice ------------------------------------------

    def ack(self, voice: Voice) -> str:
        """Agreeing that the assistant understood."""
        return self.say(voice, "ack")

    def pick(self, voice: Voice, label: str) -> str:
        """Choosing option `label` ("b") among several offered."""
        return self.say(voice, "pick", label=label)

    def followup_lead(self, voice: Voice) -> str:
        """The words before adding the piece that was missing, after the assistant named it."""
        return self.say(voice, "followup")
