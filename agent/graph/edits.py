"""Plan edits in plain words, understood without a model.

With a model backend the planner revises the plan from the user's words; on
the template backend this small interpreter handles what people usually ask
for: a parameter by name ("n=20", "k 2", "frame_shift_rate 0.3"), "fewer/more
domains|problems|conversations", "more <persona> personas", "only <persona>".
What it does not understand it says so, rather than guessing.

Example: parse_edits("fewer domains, more lazy-guy personas", params, personas)
  -> ({"k": 2, "persona_weights": {"lazy_busy": 3.0}}, [])
"""

from __future__ import annotations

import re
from typing import Any

from retrolean.recipes.recipe import Parameters

_SCALE = {"fewer": 0.5, "less": 0.5, "more": 2.0}
_PERSONA_ALIASES = {
    "humanities_major": ("humanities", "humanities major", "humanities-major"),
    "stem_on_lsd": ("stem", "lsd", "stem guy", "stem-on-lsd"),
    "autodidact": ("autodidact", "self-taught"),
    "lazy_busy": ("lazy", "busy", "lazy guy", "lazy-guy", "lazy/busy"),
}


def _persona(words: str, personas: list[str]) -> str | None:
    words = words.lower().strip()
    for pid in personas:
        if words in (pid, pid.replace("_", " ")) or words in _PERSONA_ALIASES.get(pid, ()):
            return pid
    return None


def parse_edits(text: str, params: Parameters, personas: list[str]) -> tuple[dict[str, Any],
                                                                               list[str]]:
    """Parameter overrides requested by the text, and the phrases not understood."""
    changes: dict[str, Any] = {}
    weights = dict(params.persona_weights)
    not_understood: list[str] = []
    numeric = {name for name, f in Parameters.model_fields.items() if f.annotation in (int, float)}
    for phrase in [p.strip() for p in re.split(r"[,;]|\band\b", text) if p.strip()]:
        low = phrase.lower()
        m = re.fullmatch(r"([a-z_]+)\s*(?:=|:|\s)\s*(-?\d+(?:\.\d+)?)", low)
        if m and m.group(1) in numeric:
            kind = Parameters.model_fields[m.group(1)].annotation
            changes[m.group(1)] = kind(float(m.group(2))) if kind is int else float(m.group(2))
            continue
        m = re.fullmatch(r"(fewer|less|more)\s+(domains|problems|conversations)", low)
        if m:
            factor = _SCALE[m.group(1)]
            if m.group(2) == "domains":
                changes["k"] = max(1, params.k + (1 if factor > 1 else -1))
            elif m.group(2) == "problems":
                changes["n"] = max(1, round(params.n * factor))
            else:
                changes["conversations_per_problem"] = max(
                    1, params.conversations_per_problem + (1 if factor > 1 else -1))
            continue
        m = re.fullmatch(r"(more|fewer|less)\s+(.+?)\s+personas?", low)
        if m and (pid := _persona(m.group(2), personas)):
            weights[pid] = weights.get(pid, 1.0) * (3.0 if m.group(1) == "more" else 1 / 3)
            continue
        m = re.fullmatch(r"only\s+(.+?)(?:\s+personas?)?", low)
        if m and (pid := _persona(m.group(1), personas)):
            weights = {p: (1.0 if p == pid else 0.0) for p in personas}
            changes["personas_per_problem"] = 1
            continue
        not_understood.append(phrase)
    if weights != params.persona_weights:
        changes["persona_weights"] = weights
    return changes, not_understood
