"""Persona: lazy/busy but fundamentally intelligent — terse, lower-case, only the key figure.

Drops greetings and most detail; names each part by one of its shortest lay
terms with at most one figure; writes links as `a = b`, `a <= b`, `a = b + 3`
— or says "they're connected somehow" and leaves them implicit, an omission
recorded per link. Some messages are one line, some a bullet list; now and
then a count is left out (recorded), and a frame is named in passing.

Example: "quick q. colouring thing, 5 vertices. scheduling bit (3 jobs).
node colours = start times. cleanest way to set this up?"
"""

from __future__ import annotations

from retrolean.skills.cards import Frame
from retrolean.skills.persona.base import RELATION_SYMBOL, Draft, PersonaProcess, Scene
from retrolean.skills.persona.grammar import Voice
from retrolean.skills.persona.lay import DomainView, LinkView


class LazyBusy(PersonaProcess):
    id = "lazy_busy"
    lowercase = True

    def compose(self, scene: Scene, voice: Voice, draft: Draft) -> None:
        rng = voice.rng
        bullets = voice.chance(0.3)
        if scene.theme and voice.chance(0.3):
            draft.add("@opening", self.say(voice, "opening_theme", theme=scene.theme))
        elif voice.chance(0.75):
            draft.add("@opening", self.say(voice, "opening"))
        order = list(scene.views)
        if voice.chance(0.3):
            rng.shuffle(order)
        for d in order:
            text = self.domain_segment(scene, scene.views[d], voice, draft)
            draft.add(d, "\n- " + text if bullets else text)
        vague = False
        for link in scene.links:
            if voice.chance(0.4 * self.noise):
                draft.errors.append(f"link {link.index}: left implicit")
                vague = True
                continue
            text = self.link_segment(link, voice, draft)
            draft.add(f"@link{link.index}", "\n- " + text if bullets else text)
        if vague:
            draft.add("@vague", self.say(voice, "link_vague"))
        if voice.chance(0.8):
            closing = self.say(voice, "closing")
            draft.add("@closing", "\n" + closing if bullets else closing)

    def _term(self, view: DomainView, voice: Voice) -> str:
        terms = sorted(view.card.lay_terms, key=len)
        return (terms[0] if voice.chance(0.6) else voice.rng.choice(terms)).lower()

    def domain_segment(self, scene: Scene, view: DomainView, voice: Voice, draft: Draft,
                       figures: bool = True) -> str:
        def make(notes: Draft) -> str:
            term = self._term(view, voice)
            templates = view.figure_templates("scalar") or view.figure_templates()
            if not figures or not templates:
                return voice.expand("domain_bare", term=term)
            if voice.chance(0.3 * self.noise):
                notes.errors.append(f"{view.card.id}: count left out")
                return voice.expand("domain_bare", term=term)
            fig = view.figure(voice.rng.choice(templates))
            if voice.chance(0.12):
                frame = voice.rng.choice(scene.frames_for(view.card.id))
                notes.frames[view.card.id] = frame.name
                return voice.expand("domain_frame", term=term, frame=frame.name, fig=fig)
            return voice.expand("domain_fig", term=term, fig=fig)

        return self.noted(voice, draft, make)

    def frame_segment(self, view: DomainView, frame: Frame, voice: Voice) -> str:
        def make() -> str:
            picture = frame.text if voice.chance(0.7) else frame.name
            templates = view.figure_templates("scalar")
            if templates and voice.chance(0.5):
                return voice.expand("reframe_fig", frame=picture,
                                    fig=view.figure(voice.rng.choice(templates)))
            return voice.expand("reframe", frame=picture)

        return voice.fresh(lambda: self.finish(make()))

    theme_rate = 0.0

    def link_segment(self, link: LinkView, voice: Voice, draft: Draft) -> str:
        def make(notes: Draft) -> str:
            a, b = self.link_sides(link, voice)
            relation = link.link.relation
            if relation == "at_most" and voice.chance(0.25 * self.noise):
                notes.errors.append(f"link {link.index}: '<=' written as '='")
                relation = "equal"
            return voice.expand(RELATION_SYMBOL[relation], a=a, b=b,
                                d=str(abs(link.link.offset)))

        return self.noted(voice, draft, make)
