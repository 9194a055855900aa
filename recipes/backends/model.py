"""The model backend: every skill by its prompt, through an OpenAI-compatible R1 endpoint.

A drop-in for the template backend (same `SkillBackend` methods, batch by
batch, values or `Failure(reason)`). Each skill renders its prompt from
`skills/<skill>/prompt*.md`, the batch goes out concurrently through one
`ModelClient` (cached by content, bounded, retrying), and answers are parsed,
validated and re-asked as recipes/backends/asking.py describes. Formal texts
are also checked here, when a checker is given, so a checker error goes back
to the model; the stage's own check then answers from memory.

What differs from the template backend, by necessity:
- `formalize` and `reformalize` return `FormalDraft(text, spec=None)`: the
  witness comes from the checker (Z3's model; Lean's `problem_consistent`);
- `persona` returns the description whole (`segments={"description": text}`),
  so `drop` rewrites the whole text rather than swapping a segment;
- `judge_presence` asks the judge (log-probabilities where offered, else
  sampling); each score says how it was measured (`method`).

Every call is logged (`calls`, drained with `drain_calls`); `call_totals`
feeds the per-stage accounting. The recipe's `temperature_scale` multiplies
every skill's temperature; the agent hands it over before every stage
(`use_parameters`), so a retry that lowers it reaches the stage it retries.

Trade-off: the formal language of a text is read off the text itself (an
SMT-LIB script opens with a parenthesis), because `caption`, `fill_in` and
the judge receive texts without it.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from retrolean.memory.languages import FormalLanguage
from retrolean.memory.signature import Signature
from retrolean.recipes.backends.asking import AnswerCheck, Ask, Asker
from retrolean.recipes.backends.base import (
    Dropped,
    DropRequest,
    Failure,
    FormalDraft,
    Reformalize,
)
from retrolean.recipes.backends.calls import CallLog, CallTotals, ModelCall
from retrolean.recipes.backends.checks import check_feedback
from retrolean.recipes.recipe import Parameters
from retrolean.skills.cards import DomainCard, PersonaCard
from retrolean.skills.conversation.template import VERSION as CONVERSATION_VERSION
from retrolean.skills.persona.base import Draft
from retrolean.skills.prompting import Prompt, has_prompt, load_prompt, prompt_versions
from retrolean.tools.checkers import Checker, remember_verdicts
from retrolean.tools.formal_text import code_in_caption
from retrolean.tools.generate import ModelClient, ModelConfig, ResponseCache
from retrolean.tools.generate.parsing import ParsedOutput
from retrolean.tools.judge import JudgeScore
from retrolean.tools.signatures import signature_of
from retrolean.tools.smt_proofs import interaction


def language_of(text: str) -> FormalLanguage:
    """The formal language of a text: SMT-LIB 2 if it opens with a parenthesis, else Lean 4.

    Example: language_of("; note\\n(declare-const x Int)") -> "smtlib2"
    """
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(";"))
    return FormalLanguage.SMTLIB2 if code.lstrip().startswith("(") else FormalLanguage.LEAN4


def _domain(card: DomainCard, language: FormalLanguage | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {"id": card.id, "name": card.name, "description": card.description,
                            "need": card.need, "lay_terms": list(card.lay_terms)}
    if language is not None:
        view["touchstones"] = list(card.touchstones.of(language))
    return view


def _persona(card: PersonaCard) -> dict[str, Any]:
    return {"id": card.id, "name": card.name, "description": card.description,
            "examples": list(card.examples)}


class ModelBackend:
    """Skills through a model endpoint; see the module docstring."""

    name = "model"
    renders_in: frozenset[FormalLanguage] = frozenset()  # a model's text has one language
    honours = frozenset({"temperature_scale"})

    def __init__(self, client: ModelClient, cards: dict[str, DomainCard], *,
                 check: Checker | None = None, mathlib: bool = False, reasks: int = 2,
                 z3_timeout_ms: int = 5000,
                 use_cache: bool = True, temperature_scale: float = 1.0,
                 cache_path: Path | None = None) -> None:
        self.client = client
        self.cache_path = cache_path  # opened at the first batch, once the workspace exists
        self.model: str | None = client.config.model
        self.cards = cards
        self.check = remember_verdicts(check) if check is not None else None
        self.z3_timeout_ms = z3_timeout_ms
        self.mathlib = mathlib
        self.calls = CallLog()
        self.skill_versions = {"conversation": CONVERSATION_VERSION, **prompt_versions()}
        self.asker = Asker(client, self.calls, reasks=reasks, use_cache=use_cache)
        self.asker.temperature_scale = temperature_scale

    @classmethod
    def for_endpoint(cls, *, base_url: str, model: str, api_key: str | None,
                     cards: dict[str, DomainCard], cache_path: Path | None,
                     concurrency: int = 16, timeout_s: float = 300.0,
                     **options: Any) -> ModelBackend:
        """A backend on a new client for the endpoint; `cache_path` None means no cache file."""
        config = ModelConfig(base_url=base_url, model=model, concurrency=concurrency,
                             timeout_s=timeout_s, api_key=SecretStr(api_key or "EMPTY"))
        return cls(ModelClient(config), cards, cache_path=cache_path, **options)

    def _ask(self, asks: list[Ask]) -> list[ParsedOutput[Any] | Failure]:
        self.open_cache()
        return self.asker.ask(asks)

    def _judge(self, items: list[tuple[Prompt, dict[str, Any]]]) -> list[JudgeScore | Failure]:
        self.open_cache()
        return self.asker.judge(items)

    def open_cache(self) -> None:
        """Open the response cache at `cache_path` (once the workspace exists); the run opens
        it before planning, so the planner's calls are cached too."""
        if self.client.cache is None and self.cache_path is not None:
            self.client.cache = ResponseCache(self.cache_path)

    def use_parameters(self, params: Parameters) -> None:
        """Scale every later call's temperature by the recipe's `temperature_scale`."""
        self.asker.temperature_scale = params.temperature_scale

    def drain_calls(self) -> list[ModelCall]:
        """The model calls made since the last drain (for the trace), oldest first."""
        return self.calls.drain()

    def call_totals(self) -> CallTotals:
        """Totals over every call so far (a stage's figures are the difference across it)."""
        return self.calls.totals()

    # --- formal texts ----------------------------------------------------------------------

    def _formal_check(self, language: FormalLanguage, *, domains: list[str] | None = None,
                      signature: Signature | None = None) -> AnswerCheck | None:
        """The re-ask check of a formal answer: it must check; over `signature` where one is
        given; and (SMT-LIB, with `domains`) its domains must interact — the feedback names
        the unconnected domain or the link the rest already implies."""
        check = self.check
        if check is None:
            return None

        def problem(parsed: ParsedOutput[Any]) -> str | None:
            assert parsed.code is not None
            text = parsed.code.code
            verdict = check(text, language)
            if not verdict.ok:
                return check_feedback(verdict, language)
            if signature is not None:
                found = signature_of(text, language)
                difference = signature.difference(found) if found is not None else (
                    "does not define `problem` over its unknowns")
                if difference:
                    return (f"Your text must be over exactly the unknowns given, but it "
                            f"{difference}. Declare exactly those, with those names.")
            if domains and language == FormalLanguage.SMTLIB2:
                return interaction_feedback(text, {d: list(self.cards[d].touchstones.smtlib2)
                                                   for d in domains}, self.z3_timeout_ms)
            return None

        return problem

    def _formal_inputs(self, language: FormalLanguage, **inputs: Any) -> dict[str, Any]:
        return {**inputs, "mathlib": self.mathlib} if language == FormalLanguage.LEAN4 else inputs

    @staticmethod
    def _draft(out: ParsedOutput[Any] | Failure) -> FormalDraft | Failure:
        if isinstance(out, Failure):
            return out
        assert out.code is not None
        return FormalDraft(text=out.code.code, spec=None, notes=list(out.code.notes))

    def formalize(self, items: list[tuple[list[str], str | None, random.Random]],
                  language: FormalLanguage, params: Parameters) -> list[FormalDraft | Failure]:
        """A formal problem per (domains, theme, rng), written by the model and checked."""
        language = FormalLanguage(language)
        self.asker.temperature_scale = params.temperature_scale
        prompt = load_prompt("formalize", language)
        asks = [Ask(prompt, self._formal_inputs(
                    language, domains=[_domain(self.cards[d], language) for d in domains],
                    theme=theme), check=self._formal_check(language, domains=domains))
                for domains, theme, _rng in items]
        return [self._draft(out) for out in self._ask(asks)]

    def reformalize(self, items: list[Reformalize], language: FormalLanguage
                    ) -> list[FormalDraft | Failure]:
        """A formal problem per English (or vague) text over its signature, written by the
        model and checked; an exact one over other unknowns goes back with the difference
        (a loose one is guided by the signature, not held to it: a persona's text may not
        carry every part's size)."""
        language = FormalLanguage(language)
        prompt = load_prompt("reformalize", language)
        conventions = [{"name": card.name, "touchstones": list(card.touchstones.of(language))}
                       for card in self.cards.values()]
        asks = [Ask(prompt, self._formal_inputs(
                    language, text=item.text, conventions=conventions, exact=item.exact,
                    signature=item.signature.render(language) if item.signature else
                    "(not known: choose your own names)"),
                    check=self._formal_check(language, signature=item.signature
                                             if item.exact else None))
                for item in items]
        return [self._draft(out) for out in self._ask(asks)]

    def render(self, drafts: list[FormalDraft], language: FormalLanguage
               ) -> list[FormalDraft | Failure]:
        """A model's text is in the language it was asked for: none can be rendered anew."""
        return [Failure(f"a model's text cannot be rendered in {FormalLanguage(language).label}")
                for _ in drafts]

    # --- English -----------------------------------------------------------------------------

    def caption(self, items: list[tuple[FormalDraft, random.Random]], concise_rate: float,
                feedback: list[str | None] | None = None
                ) -> list[tuple[str, list[str]] | Failure]:
        """The model's plain-English caption per formal problem (every part with its figures);
        with feedback, written again in its light (a round trip's counterexample)."""
        prompt = load_prompt("caption")
        notes = feedback or [None] * len(items)
        asks = [Ask(prompt, {"formal": draft.text, "language": language_of(draft.text),
                             "feedback": note}, check=_in_english(draft.text))
                for (draft, _rng), note in zip(items, notes, strict=True)]
        return [out if isinstance(out, Failure) else (out.data.caption, [])
                for out in self._ask(asks)]

    def persona(self, items: list[tuple[FormalDraft, str, random.Random]],
                persona: PersonaCard) -> list[Draft | Failure]:
        """A description in the persona's voice, by its own prompt and the card's temperature."""
        variant = persona.id if has_prompt("persona", persona.id) else None
        prompt = load_prompt("persona", variant)
        asks = [Ask(prompt, {"caption": caption, "persona": _persona(persona)},
                    temperature=persona.temperature) for _draft, caption, _rng in items]
        return [out if isinstance(out, Failure)
                else Draft(segments={"description": out.data.description}, errors=[])
                for out in self._ask(asks)]

    def drop(self, items: list[tuple[DropRequest, random.Random]]) -> list[Dropped | Failure]:
        """The description rewritten with one domain replaced by its need (maybe reframed)."""
        asks = []
        for req, _rng in items:
            card = self.cards[req.dropped]
            prompt = load_prompt("drop_domain", "frame_shift" if req.frame_shift
                                 else "keep_frame")
            asks.append(Ask(prompt, {"description": req.text, "persona": _persona(req.persona),
                                     "dropped": _domain(card)}, check=_still_named(card)))
        return [out if isinstance(out, Failure)
                else Dropped(dropped=req.dropped, frame_shifted=req.frame_shift,
                             text=out.data.description, frames=dict(out.data.frames))
                for (req, _rng), out in zip(items, self._ask(asks), strict=True)]

    def fill_in(self, items: list[tuple[FormalDraft, str, random.Random]]) -> list[str | Failure]:
        """The assistant's turn naming the dropped domain and how it meets the need."""
        prompt = load_prompt("fill_in")
        asks = [Ask(prompt, {"formal": draft.text, "language": language_of(draft.text),
                             "dropped": _domain(self.cards[dropped])})
                for draft, dropped, _rng in items]
        return [out if isinstance(out, Failure) else out.data.text
                for out in self._ask(asks)]

    # --- judges ------------------------------------------------------------------------------

    def judge_presence(self, items: list[tuple[str, DomainCard]]) -> list[JudgeScore | None]:
        """The judge's score that each formal text uses the domain; None if the judge could
        not be asked (the reason is in the call log)."""
        prompt = load_prompt("judge_presence")
        scores = self._judge([(prompt, {"formal": text, "language": language_of(text),
                                             "domain": _domain(card)})
                                   for text, card in items])
        return [None if isinstance(s, Failure) else s for s in scores]

    def judge_guidance(self, items: list[tuple[str, str]]) -> list[JudgeScore | Failure]:
        """Whether each text follows its content guidance (a theme, a wish): p(yes) and method."""
        prompt = load_prompt("judge_guidance")
        return self._judge([(prompt, {"text": text, "guidance": guidance})
                                 for text, guidance in items])


def interaction_feedback(text: str, domains: dict[str, list[str]], timeout_ms: int
                         ) -> str | None:
    """What a model is told when its problem's domains do not provably interact (else None)."""
    found = interaction(text, domains, timeout_ms)
    if found.connected is False:
        return ("Your problem is not one combined problem: these parts share no constraint "
                f"with the rest: {', '.join(found.unconnected)}. Link every part to the others "
                "with a constraint that ties their quantities together.")
    if found.redundant:
        return (f"This link adds nothing: the rest of your problem already implies "
                f"`{found.redundant[0]}`. Replace it with a link between the parts that "
                "actually constrains them (the rest must allow a solution that breaks it).")
    if found.connected is None or found.undecided:
        return ("Z3 could not decide whether your links constrain the problem ("
                + (found.reason or f"link `{found.undecided[0]}`") + "); make the problem "
                "smaller or the links simpler.")
    return None


def _in_english(formal: str) -> AnswerCheck:
    """A check that a caption is English: no identifier or syntax of the formal text."""
    language = language_of(formal)

    def problem(parsed: ParsedOutput[Any]) -> str | None:
        caption = parsed.data.caption if parsed.data is not None else ""
        code = code_in_caption(caption, formal, language)
        return (f"Your caption is not plain English: it contains {code}. Say it in words, "
                "with no identifiers or symbols from the formal text.") if code else None

    return problem


def _still_named(card: DomainCard) -> AnswerCheck:
    """A check that the rewritten description no longer names the dropped domain."""
    patterns = [re.compile(k, re.IGNORECASE) for k in card.keywords]

    def problem(parsed: ParsedOutput[Any]) -> str | None:
        text = parsed.data.description if parsed.data is not None else ""
        for pattern in patterns:
            found = pattern.search(text)
            if found:
                return (f"Your description still names the part that must be missing: it says "
                        f"{found.group(0)!r}. Say only the need, in other words.")
        return None

    return problem
