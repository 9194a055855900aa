"""What a stage gets to work with, and what it gives back."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from retrolean.memory.languages import FormalLanguage
from retrolean.recipes.backends.base import SkillBackend
from retrolean.recipes.recipe import Recipe
from retrolean.recipes.records import Record, Reject
from retrolean.skills.cards import ConversationTemplate, DomainCard, PersonaCard
from retrolean.tools.checkers import Checker
from retrolean.tools.embed_similarity import Embedder
from retrolean.tools.formal_text import content_for_embedding


@dataclass
class StageContext:
    """The recipe, catalogs, backend and tools a stage runs with."""

    recipe: Recipe
    domains: dict[str, DomainCard]
    personas: dict[str, PersonaCard]
    conversations: dict[str, ConversationTemplate]
    language: FormalLanguage
    backend: SkillBackend
    check: Checker
    embedder: Embedder
    progress: Callable[[int], None] = lambda n: None
    attempt: int = 0  # a retried stage draws afresh: the attempt joins every seed

    def formal_similarities(self, pairs: list[tuple[str, str]]) -> list[float]:
        """Embedding similarity of formal texts, compared by content (see tools.formal_text)."""
        return self.embedder.similarities([
            (content_for_embedding(a, self.language), content_for_embedding(b, self.language))
            for a, b in pairs])

    def rng(self, record_id: str, stage: str, *salt: Any) -> random.Random:
        """A generator seeded by run seed, record and stage: order-independent and repeatable."""
        retry = (f"attempt{self.attempt}",) if self.attempt else ()
        key = ":".join(str(x) for x in (self.recipe.parameters.seed, record_id, stage, *salt,
                                        *retry))
        return random.Random(key)


@dataclass
class StageResult:
    """Records that passed, records rejected (with `reject` set), and figures for the report."""

    accepted: list[Record] = field(default_factory=list)
    rejected: list[Record] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def reject(self, record: Record, stage: str, reason: str, kind: str | None = None) -> None:
        """Move a record to the rejects with its reason (kind: the reason's figure-free gist)."""
        if kind is None:
            kind = re.sub(r"-?\d+(?:\.\d+)?", "#", reason.split(":")[0]).strip()
        record.reject = Reject(stage=stage, reason=reason, kind=kind)
        self.rejected.append(record)
