"""`retrolean verify`: the round trip on someone else's (formal, English) pairs.

Each pair is checked as a generated record would be: the formal text must
check (its witness is kept for the fallback), then the English is formalized
again over the formal text's signature by the configured backend and a
prover compares the two (`recipes.stages.english.verify_round_trip`: Z3
equivalence or Lean's `↔` theorem, then the witness cross-check, then the
similarity). One verdict per pair: ok, the method that decided, the reason,
the counterexample where one refuted it, the similarity. Useful on any
published (statement, informal) set.

Trade-off: the template backend reads only its own caption sentences, so on
free English it says "unreadable" — honestly, not a pass; use a model backend
for other people's prose.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from retrolean.memory.errors import UserError
from retrolean.memory.languages import FormalLanguage
from retrolean.recipes.backends.base import FormalDraft
from retrolean.recipes.records import English, Formal, Provenance, Record
from retrolean.recipes.stages.context import StageContext, StageResult
from retrolean.recipes.stages.english import reject_refuted, verify_round_trip
from retrolean.tools.proof import Value


class Pair(BaseModel):
    """One input line."""

    model_config = ConfigDict(extra="ignore")

    id: str
    formal: str
    language: FormalLanguage
    english: str


class PairVerdict(BaseModel):
    """One output line."""

    id: str
    ok: bool
    method: str | None
    reason: str
    counterexample: dict[str, Value] | None = None
    similarity: float | None = None


def read_pairs(path: Path) -> list[Pair]:
    """The pairs of a JSONL file; UserError naming the first bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"cannot read {path}: {e}") from e
    pairs, seen = [], set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data: Any = json.loads(line)
            pair = Pair.model_validate(data)
        except json.JSONDecodeError as e:
            raise UserError(f"{path}:{number}: not JSON ({e.msg})") from e
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "line"
            raise UserError(f"{path}:{number}: {where}: {err['msg']} (each line is "
                            '{"id", "formal", "language": "smtlib2"|"lean4", "english"})') from e
        if pair.id in seen:
            raise UserError(f"{path}:{number}: id {pair.id!r} appears twice")
        seen.add(pair.id)
        pairs.append(pair)
    if not pairs:
        raise UserError(f"{path} holds no pairs")
    return pairs


def verify_pairs(pairs: list[Pair], context: Callable[[FormalLanguage], StageContext]
                 ) -> list[PairVerdict]:
    """A verdict per pair, in order (see the module docstring)."""
    verdicts: dict[str, PairVerdict] = {}
    for language in dict.fromkeys(p.language for p in pairs):
        ctx = context(language)
        group = [p for p in pairs if p.language == language]
        checked = ctx.check([FormalDraft(text=p.formal) for p in group])
        records = []
        for pair, found in zip(group, checked, strict=True):
            if not found.verdict.ok:
                verdicts[pair.id] = PairVerdict(
                    id=pair.id, ok=False, method=None,
                    reason=f"the formal text does not check: {found.verdict.summary()}")
                continue
            records.append(Record(
                id=pair.id, domains=[], english=English(text=pair.english),
                formal=Formal(language=language, text=pair.formal, check=found.verdict),
                provenance=Provenance(generator=ctx.backend.name,  # type: ignore[arg-type]
                                      model=ctx.backend.model, recipe="verify", seed=0)))
        result = StageResult()
        for record in verify_round_trip(records, ctx, result):
            reject_refuted(result, record)
        for record in records:
            rt = record.english.roundtrip  # type: ignore[union-attr]
            verdicts[record.id] = PairVerdict(
                id=record.id, ok=record in result.accepted, method=rt.method if rt else None,
                reason=record.reject.reason if record.reject else (rt.reason if rt else ""),
                counterexample=rt.counterexample if rt else None,
                similarity=rt.similarity if rt else None)
    return [verdicts[p.id] for p in pairs]
