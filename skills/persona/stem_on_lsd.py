"""Persona: the STEM guy on LSD — jargon, cosmic leaps, figures kept but shuffled.

Names each part by its technical name and keeps its figures, often whole
lists of them, wrapped in physics metaphor ("a non-abelian soliton folding
into itself"); now and then doubles, halves or swaps a figure (a recorded
slip). Links are entanglements: he keeps "equal" but blurs "ahead by 3" or
"never above" into mere coupling about half the time (recorded). May open
with a thesis ("it is all ONE object"), drifts into cosmic asides, keeps the
spec's order or scrambles it. Lower-case sentence starts throughout.

Example: "ok hear me out. the graph colouring layer is like 5 vertices, 4
colours, vibrating out of phase. start times ≡ node colours, same thing man."
"""

from __future__ import annotations

from retrolean.skills.cards import Frame
from retrolean.skills.persona.base import (
    RELATION_SYMBOL,
    Draft,
    Misremembering,
    PersonaProcess,
    Scene,
)
from retrolean.skills.persona.grammar import Voice
from retrolean.skills.persona.lay import DomainView, LinkView


class StemOnLsd(PersonaProcess):
    id = "stem_on_lsd"

    def finish(self, text: str) -> str:
        return text  # lower-case starts are part of the voice

    def compose(self, scene: Scene, voice: Voice, draft: Draft) -> None:
        rng = voice.rng
        self.add_opening(scene, voice, draft, theme_rate=0.5)
        thesis = rng.choice(("first", "last", "none", "none"))
        if thesis == "first":
            draft.add("@thesis", self.say(voice, "thesis"))
        order = list(scene.views)
        if voice.chance(0.5):
            rng.shuffle(order)
        links = list(scene.links)
        rng.shuffle(links)
        inline = voice.chance(0.5)
        for i, d in enumerate(order):
            draft.add(d, self.domain_segment(scene, scene.views[d], voice, draft))
            if inline and i > 0:
                self.add_links(scene, voice, draft, mentioned=set(order[:i + 1]), links=links)
            if voice.chance(0.25):
                draft.add(f"@aside{i}", self.say(voice, "aside"))
        self.add_links(scene, voice, draft, links=links)
        if thesis == "last":
            draft.add("@thesis", self.say(voice, "thesis"))
        draft.add("@closing", self.say(voice, "closing"))

    def _figures(self, view: DomainView, voice: Voice, notes: Draft, count: int) -> str:
        """One or two of the domain's figures, exact — but at times doubled or halved."""
        rng = voice.rng
        templates = view.figure_templates()
        chosen = rng.sample(templates, min(count, len(templates))) if templates else []
        say = Misremembering(
            voice.chance(0.3 * self.noise),
            wrong=lambda n: n * 2 if rng.random() < 0.5 or n < 4 else n - 2, say=str,
            note=lambda w, n: notes.errors.append(f"{view.card.id}: said {w} for {n}"))
        if not chosen:
            return f"{view.size} of them"
        return rng.choice((", ", " and ", " / ")).join(view.figure(t, say) for t in chosen)

    def domain_segment(self, scene: Scene, view: DomainView, voice: Voice, draft: Draft,
                       figures: bool = True) -> str:
        def make(notes: Draft) -> str:
            rng = voice.rng
            name = view.card.name
            if not figures:
                return voice.expand("domain_bare", name=name)
            figs = self._figures(view, voice, notes, rng.choice((1, 2, 2)))
            if voice.chance(0.2):
                frame = rng.choice(scene.frames_for(view.card.id))
                notes.frames[view.card.id] = frame.name
                return voice.expand("domain_frame", name=name, frame=frame.name, figs=figs)
            if voice.chance(0.15):
                return voice.expand("domain_bare", name=name)
            return voice.expand("domain_figs", name=name, figs=figs)

        return self.noted(voice, draft, make)

    def frame_segment(self, view: DomainView, frame: Frame, voice: Voice) -> str:
        def make() -> str:
            if voice.chance(0.4):
                scratch = Draft({}, [])
                figs = self._figures(view, voice, scratch, 1)
                return voice.expand("reframe_figs", frame=frame.text, figs=figs)
            return voice.expand("reframe", frame=frame.text)

        return voice.fresh(make)

    def link_segment(self, link: LinkView, voice: Voice, draft: Draft) -> str:
        def make(notes: Draft) -> str:
            a, b = self.link_sides(link, voice)
            relation = link.link.relation
            if relation != "equal" and voice.chance(0.5 * self.noise):
                notes.errors.append(f"link {link.index}: told '{relation}' as mere coupling")
                return voice.expand("link_blur", a=a, b=b)
            return voice.expand(RELATION_SYMBOL[relation], a=a, b=b,
                                d=str(abs(link.link.offset)))

        return self.noted(voice, draft, make)
