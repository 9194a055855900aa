"""Persona: the autodidact who mixes fields — private coinages, borrowed frames.

Explains each idea through a field he has read about ("what cybernetics would
call 'the keel rule'"), coins a private name for every idea — never the same
name for two ideas in one text — and says what it "really" is (an everyday
name, a picture of it, or both), usually with a figure. Credits ideas to odd
fields; now and then the credit is plainly misplaced, and now and then he
states a link backwards ("A stay under B" told as "B stay under A"), both
recorded as slips. Sometimes numbers his points ("first, … secondly, …"),
sometimes wanders into a footnote or a teacher's saying.

Example: "Self-taught here, so my words may be odd, but I think I see a
pattern. There is what systems ecology would call 'the hinge law' (I think
it is really seating guests at a few tables …), and it runs over 5 vertices."
"""

from __future__ import annotations

from retrolean.skills.cards import Frame
from retrolean.skills.persona.base import RELATION_SYMBOL, Draft, PersonaProcess, Scene
from retrolean.skills.persona.grammar import Voice
from retrolean.skills.persona.lay import DomainView, LinkView


class Autodidact(PersonaProcess):
    id = "autodidact"

    def coin(self, voice: Voice) -> str:
        """A private name for an idea, new in this text. Example: "the keel rule"."""
        for _ in range(20):
            if voice.chance(0.25):
                name = f"{voice.pick('coin_person')}'s {voice.pick('coin_noun')}"
            else:
                name = f"the {voice.pick('coin_adj')} {voice.pick('coin_noun')}"
            if name not in voice.named:
                break
        voice.named.add(name)
        return name

    def field(self, voice: Voice) -> str:
        return voice.pick("field")

    def compose(self, scene: Scene, voice: Voice, draft: Draft) -> None:
        rng = voice.rng
        self.add_opening(scene, voice, draft, theme_rate=0.5)
        order = list(scene.views)
        if voice.chance(0.6):
            rng.shuffle(order)
        inline = voice.chance(0.4)
        aside_at = rng.choice((None, *range(len(order))))
        done: set[str] = set()
        for i, d in enumerate(order):
            draft.add(d, self.domain_segment(scene, scene.views[d], voice, draft))
            done.add(d)
            if inline:
                self.add_links(scene, voice, draft, mentioned=done)
            if aside_at == i:
                draft.add(f"@aside{i}", self.say(voice, "aside", field=self.field(voice)))
        self.add_links(scene, voice, draft)
        draft.add("@closing", self.say(voice, "closing"))

    def _real(self, scene: Scene, view: DomainView, voice: Voice, notes: Draft) -> str:
        """What the idea "really" is: an everyday name, a picture of it, or both."""
        rng = voice.rng
        lay = rng.choice(view.card.lay_terms)
        roll = rng.random()
        if roll < 0.4:
            return lay
        frame = rng.choice(scene.frames_for(view.card.id))
        notes.frames[view.card.id] = frame.name
        return frame.text if roll < 0.7 else f"{lay}: {frame.text}"

    def domain_segment(self, scene: Scene, view: DomainView, voice: Voice, draft: Draft,
                       figures: bool = True) -> str:
        def make(notes: Draft) -> str:
            field = self.field(voice)
            if voice.chance(0.2 * self.noise):
                notes.errors.append(f"{view.card.id}: credited to {field}")
            real = self._real(scene, view, voice, notes)
            templates = view.figure_templates("scalar", "list", "constant")
            if figures and templates and voice.chance(0.8):
                figs = view.figure(voice.rng.choice(templates))
                return voice.expand("domain", coin=self.coin(voice), field=field, real=real,
                                    figs=figs)
            return voice.expand("domain_bare", coin=self.coin(voice), field=field, real=real)

        return self.noted(voice, draft, make)

    def frame_segment(self, view: DomainView, frame: Frame, voice: Voice) -> str:
        def make() -> str:
            templates = view.figure_templates("scalar")
            slots = {"frame": frame.text, "coin": self.coin(voice), "field": self.field(voice)}
            if templates and voice.chance(0.4):
                return voice.expand("reframe_figs", figs=view.figure(voice.rng.choice(templates)),
                                    **slots)
            return voice.expand("reframe", **slots)

        return voice.fresh(lambda: self.finish(make()))

    need_conditions = (1, 2)
    tie_rate, theme_rate = 0.6, 0.4

    def need_slots(self, voice: Voice) -> dict[str, str]:
        return {"field": self.field(voice), "coin": self.coin(voice)}

    def link_segment(self, link: LinkView, voice: Voice, draft: Draft) -> str:
        def make(notes: Draft) -> str:
            a, b = self.link_sides(link, voice)
            relation = link.link.relation
            if relation != "equal" and voice.chance(0.2 * self.noise):
                notes.errors.append(f"link {link.index}: '{relation}' stated backwards")
                a, b = b, a
            return voice.expand(RELATION_SYMBOL[relation], a=a, b=b,
                                d=str(abs(link.link.offset)), field=self.field(voice))

        return self.noted(voice, draft, make)
