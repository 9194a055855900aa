"""What a stage gets to work with, and what it gives back.

A stage reaches every tool through `StageContext.tools`, the toolbox its plan
names: `generate` wraps a batch of skill calls on the backend, `judge` the
presence judge, `check` the formal checkers, and the toolbox itself runs the
similarity and the touchstones. Each is one traced call batch.

How checkers combine (`check`): every checker tool the stage names decides
each problem in the language it reads — the problem's own text when that is
its language, else the problem rendered in it by the backend (the template
backend renders its structured spec in either language; a model's text has
one language, and plan validation refuses a checker that cannot read it).
All must pass, and a rendering that cannot be made fails: fail-closed. With
one checker reading the text itself, the record holds its verdict as before;
otherwise each verdict is also kept under its tool name (`checks`).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from retrolean.memory.languages import FormalLanguage
from retrolean.recipes.backends.base import Failure, FormalDraft, SkillBackend
from retrolean.recipes.recipe import Recipe
from retrolean.recipes.records import Record, Reject, ToolCheck
from retrolean.skills.cards import ConversationTemplate, DomainCard, PersonaCard
from retrolean.tools.checkers import CHECKER_LANGUAGE
from retrolean.tools.embed_similarity import Embedder
from retrolean.tools.judge import JudgeScore
from retrolean.tools.registry import GenerateArgs, JudgeArgs
from retrolean.tools.toolbox import Toolbox, ToolNotNamed
from retrolean.tools.verdict import Verdict

T = TypeVar("T")


@dataclass
class Checked:
    """A problem's verdict as the stage acts on it, and each checker's, where several ran or
    one read a rendering (None: the one checker read the text itself)."""

    verdict: Verdict
    checks: dict[str, ToolCheck] | None = None


@dataclass
class StageContext:
    """The recipe, catalogs, backend and toolbox a stage runs with."""

    recipe: Recipe
    domains: dict[str, DomainCard]
    personas: dict[str, PersonaCard]
    conversations: dict[str, ConversationTemplate]
    language: FormalLanguage
    backend: SkillBackend
    tools: Toolbox
    progress: Callable[[int], None] = lambda n: None
    attempt: int = 0  # a retried stage draws afresh: the attempt joins every seed

    @property
    def embedder(self) -> Embedder:
        """The run's embedding model."""
        return self.tools.toolset.embedder

    def rng(self, record_id: str, stage: str, *salt: Any) -> random.Random:
        """A generator seeded by run seed, record and stage: order-independent and repeatable."""
        retry = (f"attempt{self.attempt}",) if self.attempt else ()
        key = ":".join(str(x) for x in (self.recipe.parameters.seed, record_id, stage, *salt,
                                        *retry))
        return random.Random(key)

    def generate(self, skill: str, items: Sequence[object],
                 produce: Callable[[], list[T]]) -> list[T]:
        """`produce()` — one batch of `skill` on the backend — as a `generate` call.

        Example: ctx.generate("caption", items, lambda: ctx.backend.caption(items, 0.1))
        """
        if not items:
            self.tools.require("generate")
            return produce()
        how = "on the model" if self.backend.client is not None else "by its template process"
        with self.tools.call("generate", GenerateArgs(skill=skill, items=len(items)),
                             f"Run skill {skill} on {len(items)} items {how}.") as batch:
            out = produce()
            failed = Counter(_gist(o.reason) for o in out if isinstance(o, Failure))
            ok = len(out) - sum(failed.values())
            batch.observe(f"generate {skill}: {ok} made" + (
                f", {sum(failed.values())} failed ({', '.join(failed)})" if failed else "") + ".",
                counts={"ok": ok, "failed": sum(failed.values())},
                figures={"failures": dict(failed)} if failed else None)
            batch.model_calls(self.backend.drain_calls())
        return out

    def judge_presence(self, pairs: list[tuple[str, DomainCard]]) -> list[JudgeScore | None]:
        """The judge's score per (formal text, domain) where the plan names `judge`; else none."""
        if "judge" not in self.tools or not pairs:
            return [None for _ in pairs]
        with self.tools.call("judge", JudgeArgs(skill="judge_presence", questions=len(pairs)),
                             f"Ask the judge whether each of {len(pairs)} domains is really "
                             "used.") as batch:
            scores = self.backend.judge_presence(pairs)
            judged = [s.p_yes for s in scores if s is not None]
            why = " (no judge without a model)" if self.backend.client is None else ""
            batch.observe(f"judge: {len(judged)} of {len(scores)} questions answered{why}.",
                          counts={"answered": len(judged), "unanswered": len(scores) - len(judged)},
                          figures={"mean_p_yes": round(sum(judged) / len(judged), 4)}
                          if judged else None)
            batch.model_calls(self.backend.drain_calls())
        return scores

    def check(self, drafts: list[FormalDraft]) -> list[Checked]:
        """Each problem decided by every checker the stage names (see the module docstring)."""
        if not self.tools.checkers:
            raise ToolNotNamed(f"stage {self.tools.stage} decides formal texts, but its plan "
                               "names no checker")
        per_tool: dict[str, list[ToolCheck]] = {}
        for tool in self.tools.checkers:
            language = CHECKER_LANGUAGE[tool]
            if language == self.language:
                texts: list[str | Failure] = [d.text for d in drafts]
            else:
                texts = [r.text if isinstance(r, FormalDraft) else r for r in self.generate(
                    f"formalize.{language}", drafts,
                    lambda language=language: self.backend.render(drafts, language))]
            readable = [t for t in texts if isinstance(t, str)]
            verdicts = iter(self.tools.check(tool, readable))
            per_tool[tool] = [ToolCheck(
                language=language, verdict=next(verdicts) if isinstance(text, str)
                else Verdict(ok=False, status="error", checker=tool,
                             reason=f"not rendered in {language.label}: {text.reason}"),
                text=None if language == self.language or not isinstance(text, str) else text)
                for text in texts]
        return [_combined({tool: checks[i] for tool, checks in per_tool.items()}, self.language)
                for i in range(len(drafts))]


def _combined(checks: dict[str, ToolCheck], language: FormalLanguage) -> Checked:
    """One problem's checks as the verdict the stage acts on: all must pass."""
    if len(checks) == 1:
        (only,) = checks.values()
        if only.language == language:
            return Checked(only.verdict)
        return Checked(only.verdict, checks)
    verdicts = list(checks.values())
    failing = next(((t, c.verdict) for t, c in checks.items() if not c.verdict.ok), None)
    own = next((c.verdict for c in verdicts if c.language == language), verdicts[0].verdict)
    witness = next((c.verdict.witness for c in verdicts if c.verdict.witness), None)
    if failing is None:
        verdict = own.model_copy(update={"witness": witness or own.witness})
    else:
        tool, bad = failing
        verdict = bad.model_copy(update={"reason": f"{tool}: {bad.reason}",
                                         "witness": witness})
    checker = " + ".join(c.verdict.checker for c in verdicts)
    return Checked(verdict.model_copy(update={"checker": checker}), checks)


def _gist(reason: str) -> str:
    """A failure's reason without its figures. Example: "refusal: I can't" -> "refusal"."""
    return re.sub(r"-?\d+(?:\.\d+)?", "#", reason.split(":")[0]).strip()


@dataclass
class StageResult:
    """Records that passed, records rejected (with `reject` set), and figures for the report."""

    accepted: list[Record] = field(default_factory=list)
    rejected: list[Record] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def reject(self, record: Record, stage: str, reason: str, kind: str | None = None) -> None:
        """Move a record to the rejects with its reason (kind: the reason's figure-free gist)."""
        if kind is None:
            kind = _gist(reason)
        record.reject = Reject(stage=stage, reason=reason, kind=kind)
        self.rejected.append(record)
