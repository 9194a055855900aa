"""The template backend: every skill by its seeded, deterministic template process.

No model is called. Formal problems come from the domain gadgets; a Lean 4
rendering gets its existence proof from Z3's witness (an inconsistent
combination has no witness, so it fails here in Lean mode, as it would fail
Z3 in SMT-LIB mode). Links that the rest of a problem already implies are
drawn again (Z3 decides, `smt_proofs.interaction`). The round trip reads a
caption exactly, over the original's signature; a persona's text is read
loosely (skills/reformalize/template.py). Presence is judged by touchstones
only. The model-call log is empty, and the skill versions are those of the
template processes.
"""

from __future__ import annotations

import os
import random
from concurrent.futures import ThreadPoolExecutor

from retrolean.memory.languages import FormalLanguage
from retrolean.recipes.backends.base import (
    Dropped,
    DropRequest,
    Failure,
    FormalDraft,
    Reformalize,
)
from retrolean.recipes.backends.calls import CallTotals, ModelCall
from retrolean.recipes.recipe import Parameters
from retrolean.skills.caption import template as caption_skill
from retrolean.skills.cards import DomainCard, PersonaCard
from retrolean.skills.conversation import template as conversation_skill
from retrolean.skills.drop_domain import template as drop_domain_skill
from retrolean.skills.fill_in import template as fill_in_skill
from retrolean.skills.formalize import template as formalize_skill
from retrolean.skills.persona import template as persona_skill
from retrolean.skills.persona.base import Draft
from retrolean.skills.problems.spec import ProblemSpec
from retrolean.skills.reformalize import template as reformalize_skill
from retrolean.tools.checkers import Checker
from retrolean.tools.judge import JudgeScore
from retrolean.tools.smt_check import smt_check
from retrolean.tools.smt_proofs import interaction
from retrolean.tools.verdict import Verdict

SKILL_VERSIONS: dict[str, str] = {
    name: module.VERSION for name, module in {
        "formalize": formalize_skill, "caption": caption_skill,
        "reformalize": reformalize_skill, "persona": persona_skill,
        "drop_domain": drop_domain_skill, "fill_in": fill_in_skill,
        "conversation": conversation_skill,
    }.items()
}


class TemplateBackend:
    """Skills by template process over the given domain catalog."""

    name = "template"
    model = None
    client = None
    skill_versions = SKILL_VERSIONS
    renders_in = frozenset(FormalLanguage)  # the structured spec renders in either language
    honours = frozenset({"guided_link_rate", "caption_concise_rate"})

    def __init__(self, cards: dict[str, DomainCard], z3_timeout_ms: int = 5000,
                 themes: list[str] | tuple[str, ...] = (), check: Checker | None = None) -> None:
        self.cards = cards
        self.z3_timeout_ms = z3_timeout_ms
        self.themes = tuple(themes)  # the catalog's: the exact reader knows their sentences
        self.check = check  # the run's checker (its verdict memory serves the stage's check)
        self.threads = max(1, os.cpu_count() or 1)

    def use_parameters(self, params: Parameters) -> None:
        """Nothing to take: each skill gets the parameters it reads with its call."""

    def drain_calls(self) -> list[ModelCall]:
        """No model is called: always empty."""
        return []

    def call_totals(self) -> CallTotals:
        """No model is called: always zero."""
        return CallTotals()

    def _smt(self, text: str) -> Verdict:
        if self.check is not None:
            return self.check(text, FormalLanguage.SMTLIB2)
        return smt_check(text, timeout_ms=self.z3_timeout_ms)

    def _solve(self, text: str) -> dict[str, int] | None:
        verdict = self._smt(text)
        return verdict.witness if verdict.ok else None

    def _vacuous(self, spec: ProblemSpec) -> list[int] | None:
        """Positions of the links that add no constraint (or were not shown to add one);
        None for an inconsistent problem, which the checker rejects anyway."""
        text = formalize_skill.render(spec, FormalLanguage.SMTLIB2)
        if not self._smt(text).ok:
            return None
        found = interaction(text, {d: list(self.cards[d].touchstones.smtlib2)
                                   for d in spec.domains}, self.z3_timeout_ms)
        return found.vacuous_at
    def _draft(self, spec: ProblemSpec, language: FormalLanguage) -> FormalDraft | Failure:
        smt = formalize_skill.render(spec, FormalLanguage.SMTLIB2)
        if language != FormalLanguage.LEAN4:
            return FormalDraft(text=smt, spec=spec)
        verdict = self._smt(smt)
        if not verdict.ok:
            return Failure(f"no witness to prove in Lean: {verdict.summary()}")
        return FormalDraft(text=formalize_skill.render(spec, FormalLanguage.LEAN4,
                                                       verdict.witness), spec=spec,
                           witness=verdict.witness)

    def formalize(self, items: list[tuple[list[str], str | None, random.Random]],
                  language: FormalLanguage, params: Parameters) -> list[FormalDraft | Failure]:
        def one(item: tuple[list[str], str | None, random.Random]) -> FormalDraft | Failure:
            domains, theme, rng = item
            spec = formalize_skill.formalize_spec(domains, theme, rng, self._solve,
                                                  params.guided_link_rate, self._vacuous)
            return self._draft(spec, language)

        # Z3 releases the GIL, so threads overlap its solving; each item has its own rng and
        # Z3 context, so the output does not depend on scheduling.
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            return list(pool.map(one, items))

    def render(self, drafts: list[FormalDraft], language: FormalLanguage
               ) -> list[FormalDraft | Failure]:
        """Each problem's structured spec rendered in `language` (Lean with Z3's witness)."""
        return [self._draft(d.spec, language) if d.spec is not None
                else Failure("no structured problem to render") for d in drafts]

    def caption(self, items: list[tuple[FormalDraft, random.Random]], concise_rate: float,
                feedback: list[str | None] | None = None
                ) -> list[tuple[str, list[str]] | Failure]:
        """The template caption (states every figure; feedback changes nothing in it)."""
        out: list[tuple[str, list[str]] | Failure] = []
        for draft, rng in items:
            if draft.spec is None:
                out.append(Failure("the template captioner needs a structured problem"))
            else:
                out.append(caption_skill.caption(draft.spec, self.cards, rng, concise_rate))
        return out

    def reformalize(self, items: list[Reformalize], language: FormalLanguage
                    ) -> list[FormalDraft | Failure]:
        """Exact items read literally over their signature; the others read loosely."""
        out: list[FormalDraft | Failure] = []
        for item in items:
            if item.exact:
                spec = reformalize_skill.read_exactly(item.text, item.signature, self.cards,
                                                      self.themes)
                if isinstance(spec, reformalize_skill.Unread):
                    out.append(Failure(f"unreadable: {spec.reason}"))
                    continue
            else:
                loose = reformalize_skill.read_loosely(item.text, self.cards)
                if loose is None:
                    out.append(Failure("unreadable: no known domain could be read from the "
                                       "text"))
                    continue
                spec = loose
            out.append(self._draft(spec, language))
        return out

    def persona(self, items: list[tuple[FormalDraft, str, random.Random]],
                persona: PersonaCard) -> list[Draft | Failure]:
        out: list[Draft | Failure] = []
        for draft, _caption, rng in items:
            if draft.spec is None:
                out.append(Failure("the template persona process needs a structured problem"))
            else:
                out.append(persona_skill.describe(draft.spec, self.cards, persona, rng))
        return out

    def drop(self, items: list[tuple[DropRequest, random.Random]]) -> list[Dropped | Failure]:
        out: list[Dropped | Failure] = []
        for req, rng in items:
            out.append(drop_domain_skill.drop(req.spec, req.segments, req.dropped, req.persona,
                                              self.cards, rng, 1.0 if req.frame_shift else 0.0))
        return out

    def fill_in(self, items: list[tuple[FormalDraft, str, random.Random]]) -> list[str | Failure]:
        return [fill_in_skill.fill_in(draft.spec, dropped, self.cards, rng) if draft.spec
                else Failure("the template fill-in needs a structured problem")
                for draft, dropped, rng in items]

    def judge_presence(self, items: list[tuple[str, DomainCard]]) -> list[JudgeScore | None]:
        """No judge without a model: presence rests on touchstones alone."""
        return [None for _ in items]
