"""Persona: the humanities major — long, narrative, metaphorical, light on figures.

Sees structure as story: names a part by a picture of it (a frame) or its
everyday name, says how it *feels*, keeps a figure only now and then and
then spelled out or rounded ("eighty-odd"), sometimes miscounts. Wanders
into asides (Borges, a grandmother's maxim), often sets the scene in the
problem's theme, hears every link as an echo or a rhyme — and now and then
tells a "stays ahead of" or "never above" as mere sameness, a recorded slip.
Order varies: links come as soon as both sides are mentioned, or all at the
end; a description may open on the setting or on an apology.

Example: "I keep picturing a lakeside summer camp, where a quiet logic is at
work. There is this part that feels like seating guests at a few tables …,
and there are five or so. The start times of the tasks somehow answer to the
colours of the points, like an echo. …"
"""

from __future__ import annotations

import re

from retrolean.skills.cards import Frame
from retrolean.skills.persona.base import (
    RELATION_SYMBOL,
    Draft,
    Misremembering,
    PersonaProcess,
    Scene,
    rough_number,
)
from retrolean.skills.persona.grammar import Voice
from retrolean.skills.persona.lay import DomainView, LinkView
from retrolean.skills.wording import number_word

TECHNICAL = re.compile(r"[=+*()<>]")  # figures written as formulas: not how this persona talks


class HumanitiesMajor(PersonaProcess):
    id = "humanities_major"

    def compose(self, scene: Scene, voice: Voice, draft: Draft) -> None:
        rng = voice.rng
        self.add_opening(scene, voice, draft, theme_rate=0.75)
        order = list(scene.views)
        rng.shuffle(order)
        links_at_end = voice.chance(0.4)
        asides = rng.choice((0, 1, 1, 2))
        aside_after = set(rng.sample(range(len(order)), min(asides, len(order))))
        seen: set[str] = set()
        for i, d in enumerate(order):
            draft.add(d, self.domain_segment(scene, scene.views[d], voice, draft))
            seen.add(d)
            if not links_at_end:
                self.add_links(scene, voice, draft, mentioned=seen)
            if i in aside_after:
                draft.add(f"@aside{i}", self.say(voice, "aside"))
        self.add_links(scene, voice, draft)
        draft.add("@closing", self.say(voice, "closing"))

    def _mention(self, scene: Scene, view: DomainView, voice: Voice, draft: Draft) -> str:
        rng = voice.rng
        lay = rng.choice(view.card.lay_terms)
        roll = rng.random()
        if roll < 0.25:
            return voice.expand("mention_lay", lay=lay)
        frame = rng.choice(scene.frames_for(view.card.id))
        draft.frames[view.card.id] = frame.name
        if roll < 0.45:
            return voice.expand("mention_name", name=frame.name)
        if roll < 0.7:
            return voice.expand("mention_frame", frame=frame.text)
        return voice.expand("mention_both", lay=lay, frame=frame.text)

    def _count(self, view: DomainView, voice: Voice, draft: Draft) -> tuple[str, str] | None:
        """A figure, rounded or spelled out, and the plan that fits it (a count or a detail)."""
        templates = [t for t in view.figure_templates("scalar") if not TECHNICAL.search(t)]
        if not templates:
            return None
        template = voice.rng.choice(templates)
        plan = "domain_counted" if template.startswith("{") else "domain_detail"
        say = Misremembering(
            voice.chance(0.25 * self.noise), wrong=lambda n: n + voice.rng.choice((-1, 1)),
            say=rough_number, above=2,
            note=lambda w, n: draft.errors.append(f"{view.card.id}: said about {w} for {n}"))
        return plan, view.figure(template, say)

    def domain_segment(self, scene: Scene, view: DomainView, voice: Voice, draft: Draft,
                       figures: bool = True) -> str:
        def make(notes: Draft) -> str:
            what = self._mention(scene, view, voice, notes)
            counted = self._count(view, voice, notes) if figures and voice.chance(0.55) else None
            if counted:
                plan, count = counted
                return voice.expand(plan, what=what, count=count)
            return voice.expand("domain_plain", what=what)

        return self.noted(voice, draft, make)

    def frame_segment(self, view: DomainView, frame: Frame, voice: Voice) -> str:
        def make() -> str:
            templates = [t for t in view.figure_templates("scalar")
                         if t.startswith("{") and not TECHNICAL.search(t)]
            if templates and voice.chance(0.4):
                count = view.figure(voice.rng.choice(templates), rough_number)
                return self.finish(voice.expand("reframe_counted", frame=frame.text,
                                                count=count))
            return self.finish(voice.expand("reframe", frame=frame.text))

        return voice.fresh(make)

    need_conditions = (1, 1, 2)
    tie_rate, theme_rate = 0.6, 0.4

    def number(self, n: int) -> str:
        return rough_number(n)

    def link_segment(self, link: LinkView, voice: Voice, draft: Draft) -> str:
        def make(notes: Draft) -> str:
            a, b = self.link_sides(link, voice)
            relation = link.link.relation
            if relation != "equal" and voice.chance(0.3 * self.noise):
                notes.errors.append(f"link {link.index}: told '{relation}' as sameness")
                relation = "equal"
            return voice.expand(RELATION_SYMBOL[relation], a=a, b=b,
                                d=number_word(abs(link.link.offset)))

        return self.noted(voice, draft, make)
