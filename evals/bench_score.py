"""Scoring one benchmark answer: does it parse, check, and bring the missing domain back?

An answer is parsed as R1 output (think block split off, the last fenced
block of the set's language taken); the formal text is then checked by the
set's checker (Z3 for SMT-LIB 2, screened Lean for Lean 4), the dropped
domain's touchstones are looked for (comments stripped), and the share of all
the problem's domains present is recorded. Similarity to the gold formal
problem is added afterwards, for all answers in one embedding batch. An
answer that does not parse scores zero everywhere. `success` asks for all of
it at once: the text checks and every domain, the dropped one included, is there.
Trade-off: touchstones are symbolic; an answer that models the right
structure under other names is not credited (the prompt's naming glossary
exists to make this fair).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from pydantic import BaseModel

from retrolean.memory.languages import FormalLanguage
from retrolean.tools.generate.parsing import ParseError, parse_output
from retrolean.tools.touchstones import touchstones_present
from retrolean.tools.verdict import Verdict

log = logging.getLogger(__name__)

AnswerChecker = Callable[[str], Verdict]  # checks one answer's formal text
METRICS = ("check", "dropped_present", "domains_present", "similarity", "success")


class Score(BaseModel):
    """The scores of one answer, with what the parser and the checker said."""

    parse_error: str | None = None
    parse_detail: str = ""
    code: str | None = None
    check_ok: bool = False
    check_status: str = ""
    check_reason: str = ""
    dropped_present: bool = False
    domains_present: float = 0.0
    similarity: float = 0.0
    success: bool = False

    def metric(self, name: str) -> float:
        """The value of one of METRICS as a number."""
        value = {"check": self.check_ok, "dropped_present": self.dropped_present,
                 "domains_present": self.domains_present, "similarity": self.similarity,
                 "success": self.success}[name]
        return float(value)


def score_answer(text: str, reasoning: str, finish_reason: str | None, language: FormalLanguage,
                 dropped: str, domains: list[str], touchstones: dict[str, list[str]],
                 check: AnswerChecker) -> Score:
    """Parse, check and look for the domains in one answer (similarity is left at 0)."""
    try:
        parsed = parse_output(text, reasoning_content=reasoning or None, language=language,
                              finish_reason=finish_reason)
    except ParseError as e:
        return Score(parse_error=e.kind, parse_detail=e.feedback[:300])
    code = parsed.code.code if parsed.code else ""
    try:
        verdict = check(code)
    except Exception as e:  # a checker bug must not end a benchmark of hundreds of answers
        log.exception("checker failed on an answer")
        verdict = Verdict(ok=False, status="error", checker="?",
                          reason=f"checker failed: {type(e).__name__}: {e}")
    present = {d: touchstones_present(code, touchstones.get(d, []), language) for d in domains}
    dropped_present = present.get(dropped, False)
    return Score(code=code, check_ok=verdict.ok, check_status=verdict.status,
                 check_reason=verdict.reason[:300], dropped_present=dropped_present,
                 domains_present=round(sum(present.values()) / len(present), 4) if present
                 else 0.0,
                 success=verdict.ok and all(present.values()))
