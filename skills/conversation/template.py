"""conversation, template process: glue the parts into multi-turn conversations.

The parts stay separate until here. A conversation template is a list of
turns, each naming who speaks and which part it carries; turns are rendered
in order, each seeing the conversation so far, because what an assistant
turn may state depends on what the user said. The rules:

- every figure an assistant turn states is grounded (`grounding`): the user
  gave it, or the turn introduces it as a chosen value ("where you didn't
  give figures, I've picked my own: …") before the caption states it;
- a user never re-pastes an earlier turn: after the assistant names the
  missing piece the user adds only that piece, in their own voice (the
  persona's segments for the dropped domain and its links — `followup`);
- `related` offers the domains most similar to the user's words
  (`related.similar_domains`), the true one among them with the problem's
  own figures, and the conversation goes on with the one the user picks.

Example: a "gap_first" template gives
  user: <missing-domain description> / assistant: <fill-in> /
  user: <the missing piece in their words> / assistant: <figures chosen, caption, formal text>
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from retrolean.skills.cards import ConversationTemplate, DomainCard, PersonaCard
from retrolean.skills.conversation.grounding import (
    declared,
    is_declaration,
    known_numbers,
    paragraphs,
)
from retrolean.skills.conversation.related import similar_domains
from retrolean.skills.persona.base import PersonaProcess, Scene, join_segments, sentence_case
from retrolean.skills.persona.grammar import Voice, load_grammar
from retrolean.skills.persona.lay import DomainView
from retrolean.skills.persona.template import PROCESSES
from retrolean.skills.problems.registry import gadget_domains, gadget_for
from retrolean.skills.problems.spec import ProblemSpec
from retrolean.skills.wording import figures, prose, sentence_key, sentences

VERSION = "template-2"

FENCE = {"smtlib2": "smt2", "lean4": "lean"}
LABELS = "ABCD"


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
    segments: dict[str, str] = field(default_factory=dict)  # the persona text's segments
    spec: ProblemSpec | None = None  # the template backend's structured problem, when known
    persona_card: PersonaCard | None = None


class Conversation:
    """One conversation being written: its parts, generator, voices and turns so far."""

    def __init__(self, parts: Parts, cards: dict[str, DomainCard], rng: random.Random) -> None:
        self.parts = parts
        self.cards = cards
        self.rng = rng
        self.messages: list[dict[str, str]] = []
        self.voice = Voice(load_grammar("retrolean.skills.conversation", "grammar.yaml"), rng)
        card = parts.persona_card
        self.process: PersonaProcess | None = (
            PROCESSES[card.id](card) if card is not None and card.id in PROCESSES else None)
        self.user_voice = self.process.voice(rng) if self.process else self.voice
        self.scene = Scene.of(parts.spec, cards) if parts.spec is not None else None
        self.picked: str | None = None
        self.offered: set[int] = set()  # figures of this problem an assistant turn has chosen

    def say(self, symbol: str, **slots: str) -> str:
        """An assistant line, sentence-cased, never a sentence the conversation already has."""
        return self.voice.fresh(lambda: sentence_case(self.voice.expand(symbol, **slots)))

    def user_line(self, method: str, symbol: str, **slots: str) -> str:
        """A line in the persona's own voice (or a plain one for a persona without a process)."""
        if self.process is not None:
            return str(getattr(self.process, method)(self.user_voice, **slots))
        return sentence_case(self.voice.expand(symbol, **slots))

    # --- user parts ------------------------------------------------------------------------

    def piece(self) -> str:
        """The missing piece in the user's words: the dropped domain's segment and its links."""
        segments = self.parts.segments
        if self.scene is None or self.parts.dropped not in segments:
            return self.parts.persona  # no segments (a model's text): the full vague version
        keys = [self.parts.dropped] + [f"@link{lv.index}" for lv in self.scene.links
                                       if lv.touches(self.parts.dropped)]
        return join_segments([segments[k].lstrip("\n- ") for k in keys if k in segments])

    def followup(self) -> str:
        return join_segments([self.user_line("followup_lead", "followup"), self.piece()])

    def pick(self) -> str:
        label = self.picked or "a"
        return join_segments([self.user_line("pick", "pick", label=label), self.piece()])

    # --- assistant parts -------------------------------------------------------------------

    def declaration(self) -> str:
        """The paragraph introducing, as chosen values, the caption's figures nobody gave yet.

        A domain's figure phrase is declared unless the user stated every number in it (or,
        for the missing piece, an earlier assistant turn chose them); an example of some
        other problem that happens to share a number grounds nothing here.
        """
        users = known_numbers([m for m in self.messages if m["role"] == "user"])
        wanted: list[int] = []
        for n in figures(prose(self.parts.caption)):
            if n not in users | self.offered and n not in wanted:
                wanted.append(n)
        clauses, covered = [], set()
        if self.scene is not None:
            for d in self.scene.spec.domains:
                view = self.scene.views[d]
                known = users | self.offered if d == self.parts.dropped else users
                chosen = [(text, ns) for text, ns in view.stated if ns - known]
                if chosen:
                    clauses.append(self.voice.expand("for_part", lay=view.card.name,
                                                     figures=_and([t for t, _ in chosen])))
                    covered |= {n for _, ns in chosen for n in ns}
        left = [n for n in wanted if n not in covered]
        if left:
            symbol = "declare_ties" if self.scene is not None and self.scene.links \
                else "declare_constants"
            clauses.append(self.voice.expand(symbol, figures=_and([str(n) for n in left])))
        if not clauses:
            return ""
        text = self.say("declare_lead") + " " + "; ".join(clauses) + "."
        tail = self.voice.expand("declare_tail")
        return text + (" " + sentence_case(tail) if tail else "")

    def rigorous(self) -> str:
        """Any chosen figures first, then the caption and the formal text in a fenced block."""
        fence = FENCE.get(self.parts.language, "")
        declaration = self.declaration()
        body = f"{self.say('rigorous_open')}\n\n{self.parts.caption}\n\n" \
               f"```{fence}\n{self.parts.formal.strip()}\n```"
        return f"{declaration}\n\n{body}" if declaration else body

    def solution(self) -> str:
        """The checker's witness as an assignment, in a code block (it names formal variables)."""
        witness = self.parts.witness
        if not witness:
            return "The checker found the problem consistent."
        lines = "\n".join(f"{k} = {v}" for k, v in witness.items())
        return f"{self.say('solution_lead')}\n\n```text\n{lines}\n```"

    def summary(self) -> str:
        """The whole problem restated in plain words, the missing piece named (no figures)."""
        card = self.cards.get(self.parts.dropped)
        name = card.name if card else self.parts.dropped
        if self.scene is None:
            return self.say("summary", parts="what you described", name=name, ties="")
        kept = [d for d in self.scene.spec.domains if d != self.parts.dropped]
        names = [self.scene.views[d].plain_term(self.rng) for d in kept]
        quantities = [lv.b.quantity(lv.link.port_b, self.rng) if lv.link.a == self.parts.dropped
                      else lv.a.quantity(lv.link.port_a, self.rng)
                      for lv in self.scene.links if lv.touches(self.parts.dropped)]
        ties = self.voice.expand("summary_ties", ties=_and([f"the {q}" for q in quantities])) \
            if quantities else ""
        return self.say("summary", parts=_and(names), name=name, ties=ties)

    def fill_in(self, precise: bool = True) -> str:
        """The stored fill-in; the figures it declares are this problem's, chosen. Without
        `precise`, its paragraphs that state figures are left out (the rigorous version that
        follows in the same turn states them)."""
        text = self.parts.fill_in
        if not precise:  # its first paragraph: the name and the idea, no figures, no question
            text = next((p for p in paragraphs(text) if not is_declaration(p)), text)
        self.offered |= declared(text)
        self.voice.remember(text)
        return text

    def confirm(self) -> str:
        return "\n\n".join([self.fill_in(), self.summary(), self.say("confirm_question")])

    def related(self, k: int = 2) -> str:
        """The true missing domain among the k most similar others, each with an instance."""
        available = set(gadget_domains()) & set(self.cards)
        present = set(self.scene.spec.domains) if self.scene else set()
        pool = [d for d in available if d not in present or d == self.parts.dropped]
        ranked = [d for d in similar_domains(self.gap_words(), self.cards, pool)
                  if d != self.parts.dropped]
        options = [self.parts.dropped, *ranked[:k]]
        self.rng.shuffle(options)
        lines = [self.say("related_lead")]
        for label, d in zip(LABELS, options, strict=False):
            if d == self.parts.dropped:
                self.picked = label
            if self.scene is not None and d in self.scene.views:
                view = self.scene.views[d]  # the true piece, with the problem's own figures
            else:
                view = DomainView.of(self.cards[d], gadget_for(d).sample(self.rng))
            example = view.gadget.describe(view.params, self.rng)
            if d == self.parts.dropped:
                self.offered |= set(figures(example))
            lines.append(self.say("related_option", label=label, name=view.card.name,
                                  core=view.need_core(self.rng, figures=False), example=example))
        lines.append(self.say("related_question"))
        return "\n\n".join(lines)

    def gap_words(self) -> str:
        """The user's words about the gap: the missing text's sentences that the full
        description does not have (the need, and any part said in a new frame)."""
        full = {sentence_key(s) for s in sentences(self.parts.persona)}
        new = [s for s in sentences(self.parts.missing) if sentence_key(s) not in full]
        return " ".join(new) or self.parts.missing

    def render_part(self, name: str) -> str:
        """The text of one named part, given the conversation so far."""
        p = self.parts
        simple = {"missing": p.missing, "persona": p.persona}
        if name in simple:
            return simple[name]
        if name == "fill_in":
            return self.fill_in()
        if name == "followup":
            return self.followup()
        if name == "pick":
            return self.pick()
        if name == "ack":
            return self.user_line("ack", "ack")
        if name == "rigorous":
            return self.rigorous()
        if name == "confirm":
            return self.confirm()
        if name == "solve":
            return "\n\n".join([self.fill_in(precise=False), self.rigorous(), self.solution()])
        if name == "related":
            return self.related()
        raise ValueError(f"unknown part {name!r}")


def _and(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def render(template: ConversationTemplate, parts: Parts, cards: dict[str, DomainCard],
           rng: random.Random) -> list[dict[str, str]]:
    """The conversation's messages, role and content per turn."""
    conversation = Conversation(parts, cards, rng)
    for turn in template.turns:
        content = conversation.render_part(turn.part)
        conversation.messages.append({"role": turn.role, "content": content})
    return conversation.messages
