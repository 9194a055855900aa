"""A scripted R1 for the loopback server: answers each skill prompt as R1 would, correctly.

`ScriptedR1` is a fallback for `retrolean.tools.generate.fake_server.FakeOpenAI`. It reads the
request's prompt — which skill ("# Task: …"), which domains, which texts —
and answers with the template process's own output for it (the template's
rendering of the requested combination, its caption, its persona text, …)
dressed as R1 dresses answers: a think block, prose around a fenced block or
around JSON. So the checks downstream genuinely pass or fail as they would
on the template backend. It remembers what it wrote (formal text -> spec,
caption -> spec, persona text -> segments) to answer the later skills.

Faults are injected by the test through `faults`: a skill id (or its family,
e.g. "persona") mapped to a list of replies served, in order, to that
skill's first asks (re-asks, which carry more than one message, always get
the scripted answer), e.g. a 429, a malformed answer, a refusal.

Example:
    r1 = ScriptedR1(catalog)
    r1.faults["caption"] = [Reply.rate_limited("0.1")]
    server.fallback = r1
"""

from __future__ import annotations

import json
import random
import re
import threading

from retrolean.recipes.catalog_loader import Catalog
from retrolean.skills.caption.template import caption_segments
from retrolean.skills.drop_domain.template import drop as drop_template
from retrolean.skills.fill_in.template import fill_in as fill_in_template
from retrolean.skills.formalize.template import formalize_spec, render
from retrolean.skills.persona.template import describe
from retrolean.skills.problems.spec import ProblemSpec
from retrolean.skills.reformalize.template import Unread, read_exactly, read_loosely
from retrolean.tools.generate.fake_server import RecordedRequest, Reply
from retrolean.tools.smt_check import smt_check
from retrolean.tools.smt_proofs import interaction

_TASK = re.compile(r"^# Task: (\w+)(?: \((.*)\))?", re.MULTILINE)
_DOMAIN_ID = re.compile(r"\(`([a-z][a-z0-9_]*)`\):")
_THEME = re.compile(r"Tell the problem in this setting: (.*?)\. The setting", re.DOTALL)
_FENCED = re.compile(r"```(?:smt2|lean)\n(.*?)\n```", re.DOTALL)
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def quoted_after(prompt: str, marker: str) -> str:
    """The Markdown block quote that follows `marker`, unquoted."""
    tail = prompt.split(marker, 1)[1].lstrip("\n")
    lines = []
    for line in tail.splitlines():
        if not line.startswith(">"):
            break
        lines.append(line[2:] if line.startswith("> ") else line[1:])
    return "\n".join(lines).strip()


def skill_of(prompt: str) -> str:
    """The skill id a prompt asks for, e.g. "formalize" or "persona.humanities major"."""
    found = _TASK.search(prompt)
    if found is None:
        return "unknown"
    return found.group(1) + (f".{found.group(2)}" if found.group(2) else "")


class ScriptedR1:
    """Answers skill prompts with the template processes' output, R1-style."""

    def __init__(self, catalog: Catalog, *, p_yes: float = 0.92) -> None:
        self.cards = catalog.domains
        self.themes = list(catalog.themes)
        self.personas = {card.name: card for card in catalog.personas.values()}
        self.p_yes = p_yes
        self.faults: dict[str, list[Reply]] = {}
        self.wrong_captions = 0  # first captions written without their first link sentence
        self.ask_back: set[str] = set()  # skill families that always ask back, never answer
        self.judge_undecided = False  # the judge answers neither yes nor no
        self.asked: dict[str, int] = {}
        self.specs: dict[str, ProblemSpec] = {}  # formal text or caption -> spec
        self.segments: dict[str, tuple[ProblemSpec, dict[str, str]]] = {}
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Reply:
        messages = (request.body or {}).get("messages", [])
        prompt = messages[0]["content"] if messages else ""
        skill = skill_of(prompt)
        family = skill.split(".")[0]
        with self._lock:
            self.asked[skill] = self.asked.get(skill, 0) + 1
            queued = self.faults.get(skill) or self.faults.get(family)
            if queued and len(messages) == 1:
                return queued.pop(0)
        if family in self.ask_back:
            return Reply.text("Before I write anything: which figures do you mean exactly?")
        if family.startswith("judge") and self.judge_undecided:
            return Reply.text("It depends on how you look at it.")
        answer = getattr(self, f"_{family}", None)
        if answer is None:
            return Reply.text(f"I do not know the task {skill!r}.")
        if family == "formalize" and len(messages) > 1:  # asked again: draw another problem
            prompt = f"{prompt}\n(round {len(messages)})"
        return answer(prompt, skill)

    # --- one answer per skill -------------------------------------------------------------

    def _plan(self, prompt: str, skill: str) -> Reply:
        """The recipe's default plan (shown in the prompt), adopted with a rationale."""
        stages = json.loads(prompt.split("```json", 1)[1].split("```", 1)[0])
        return Reply.json_in_prose({"rationale": "the default plan fits this goal",
                                    "stages": stages}, reasoning="The default plan covers it.")

    def _formal(self, spec: ProblemSpec, lean: bool) -> Reply:
        smt = render(spec, "smtlib2")
        verdict = smt_check(smt)
        text = render(spec, "lean4", verdict.witness) if lean and verdict.ok else smt
        with self._lock:
            self.specs[text.strip()] = spec
        return Reply.fenced("lean" if lean else "smt2", text, prose="Here is the problem.",
                            reasoning="Let me pick figures for each part and link them.")

    def _formalize(self, prompt: str, skill: str) -> Reply:
        """The template's problem, its links drawn again where they add nothing, as a careful
        R1 that checked them would."""
        domains = _DOMAIN_ID.findall(prompt)
        theme = _THEME.search(prompt)
        rng = random.Random(prompt)
        spec = formalize_spec(domains, theme.group(1) if theme else None, rng,
                              lambda t: smt_check(t).witness, 0.7, self._vacuous)
        return self._formal(spec, "Lean" in skill)

    def _vacuous(self, spec: ProblemSpec) -> list[int] | None:
        text = render(spec, "smtlib2")
        if not smt_check(text).ok:
            return None
        return interaction(text, {d: list(self.cards[d].touchstones.smtlib2)
                                  for d in spec.domains}).vacuous_at

    def _reformalize(self, prompt: str, skill: str) -> Reply:
        """Read literally (the template's exact reader, over every catalog theme) when the
        prompt asks for it, else loosely; a text it cannot read exactly is asked back about."""
        text = quoted_after(prompt, "The description:")
        if "Read literally" in prompt:
            spec = read_exactly(text, None, self.cards, self.themes)
            if isinstance(spec, Unread):
                return Reply.text(f"I cannot formalize this exactly: {spec.reason}. Which "
                                  "figures did you mean?")
        else:
            spec = read_loosely(text, self.cards)
            if spec is None:
                return Reply.refusal()
        return self._formal(spec, "Lean" in skill)

    def _spec_in(self, prompt: str) -> ProblemSpec:
        fenced = _FENCED.search(prompt)
        return self.specs[fenced.group(1).strip() if fenced else ""]

    def _caption(self, prompt: str, skill: str) -> Reply:
        spec = self._spec_in(prompt)
        segments, _concise = caption_segments(spec, self.cards, random.Random(0))
        with self._lock:
            wrong = (self.wrong_captions > 0 and "@link0" in segments
                     and "did not survive" not in prompt)
            self.wrong_captions -= wrong
        text = " ".join(v for k, v in segments.items() if not (wrong and k == "@link0"))
        with self._lock:
            self.specs[text] = spec
        return Reply.json_in_prose({"caption": text})

    def _persona(self, prompt: str, skill: str) -> Reply:
        card = self.personas[skill.split(".", 1)[1]]
        spec = self.specs[quoted_after(prompt, "Here is the problem, stated plainly:")]
        draft = describe(spec, self.cards, card, random.Random(card.id))
        with self._lock:
            self.segments[draft.text] = (spec, draft.segments)
        return Reply.think("Speaking as them.", "```json\n"
                           + json.dumps({"description": draft.text}) + "\n```")

    def _drop_domain(self, prompt: str, skill: str) -> Reply:
        persona = self.personas[_BOLD.search(prompt).group(1)]  # type: ignore[union-attr]
        spec, segments = self.segments[quoted_after(prompt, "described a problem like this:")]
        name = prompt.split("one part is missing: **", 1)[1].split("**", 1)[0]
        dropped = next(d for d in spec.domains if self.cards[d].name == name)
        shift = 1.0 if "frame shift" in skill else 0.0
        result = drop_template(spec, segments, dropped, persona, self.cards, random.Random(0),
                               shift)
        return Reply.json_in_prose({"description": result.text, "frames": result.frames})

    def _fill_in(self, prompt: str, skill: str) -> Reply:
        spec = self._spec_in(prompt)
        name = prompt.split("The idea they are missing is **", 1)[1].split("**", 1)[0]
        dropped = next(d for d in spec.domains if self.cards[d].name == name)
        text = fill_in_template(spec, dropped, self.cards, random.Random(0))
        return Reply.json_in_prose({"text": text})

    def _judge_presence(self, prompt: str, skill: str) -> Reply:
        return Reply.yes_no(self.p_yes)

    def _judge_guidance(self, prompt: str, skill: str) -> Reply:
        return Reply.yes_no(self.p_yes)
