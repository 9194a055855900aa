"""Plan edits in plain words, understood without a model.

The rule set handles what people usually ask for: a parameter by name ("n=20",
"k 2", "frame_shift_rate 0.3", "frame shift rate to 100%"), "fewer/more
domains|problems|conversations", "more <persona> personas", "only <persona>",
and the domains problems are drawn from — "use only music and knitting
domains", "domains music_intervals,knitting_patterns", "include coin change",
"without chemistry" (catalog ids, names, their words, lay terms and frames;
`retrolean.agent.domain_choice`). A line is split into clauses at commas and
semicolons, except where a domain clause's list goes on ("domains a,b,c"); a
clause no rule reads is tried again split at "and". What it applies it says
as one line per change; what it does not understand, or cannot apply (an
ambiguous domain, a value out of range), it says too, rather than guessing.

Example: parse_edits("fewer domains, more lazy-guy personas", params, personas).changes
  -> {"k": 2, "persona_weights": {"lazy_busy": 3.0}}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from retrolean.agent.domain_choice import DomainSelection, DomainWords, Mode, read_domain_list
from retrolean.recipes.recipe import Parameters

_SCALE = {"fewer": 0.5, "less": 0.5, "more": 2.0}
_PERSONA_ALIASES = {
    "humanities_major": ("humanities", "humanities major", "humanities-major"),
    "stem_on_lsd": ("stem", "lsd", "stem guy", "stem-on-lsd"),
    "autodidact": ("autodidact", "self-taught"),
    "lazy_busy": ("lazy", "busy", "lazy guy", "lazy-guy", "lazy/busy"),
}
_NAME_ALIASES = {"problems": "n", "domains per problem": "k", "temperature": "temperature_scale"}
HINT = ("say parameter=value (n=20, frame_shift_rate=0.3), fewer/more domains|problems|"
        "conversations, more <persona> personas, only <persona>, only <domains>, "
        "include <domains> or without <domains>")

# Domain clauses: what they ask for, and the list after the cue (trailing "domains" allowed).
_LIST = r"(?:the\s+)?(?:domains?\s*[:=]?\s*)?(?P<list>.+?)(?:\s+domains?)?(?:\s+only)?"
_DOMAIN_CLAUSES: list[tuple[Mode, re.Pattern[str]]] = [(mode, re.compile(p)) for mode, p in [
    ("only", r"(?:please\s+)?(?:use|keep|stick to|sample|draw|pick)?\s*(?:from\s+)?"
             r"(?:only|just|exclusively|solely)\s+(?:use\s+|from\s+)?" + _LIST),
    ("only", r"(?:restrict|limit)(?:\s+it|\s+(?:the\s+)?domains?)?\s+to\s+" + _LIST),
    ("only", r"(?:use|sample from|draw from)\s+(?:the\s+)?(?P<list>.+?)(?:\s+domains?)?\s+only"),
    ("only", r"domains?\s*(?:[:=]\s*|\s)(?P<list>.+)"),
    ("exclude", r"(?:no|without|exclude|excluding|except|drop|remove|skip|avoid|leave out|"
                r"not)\s+" + _LIST),
    ("include", r"(?:(?:mostly|mainly|primarily|largely|more)\s+)?(?:about|on|around|with|"
                r"featuring)\s+" + _LIST),
    ("include", r"(?:include|including|add|focus on|favou?r|prefer|also|mostly|mainly|"
                r"primarily|largely|more)\s+" + _LIST),
]]


@dataclass
class Edits:
    """What one line of edits asks for and what became of each part."""

    changes: dict[str, Any] = field(default_factory=dict)  # parameter overrides
    domains: DomainSelection | None = None  # the selection after the edits, if they touched it
    applied: list[str] = field(default_factory=list)  # one line per change: "n 40 → 12"
    not_understood: list[str] = field(default_factory=list)  # clauses no rule reads
    problems: list[str] = field(default_factory=list)  # understood, but not applied: why

    @property
    def understood(self) -> bool:
        return not self.not_understood


def _persona(words: str, personas: list[str]) -> str | None:
    words = words.lower().strip()
    for pid in personas:
        if words in (pid, pid.replace("_", " ")) or words in _PERSONA_ALIASES.get(pid, ()):
            return pid
    return None


def _number(text: str) -> float:
    """'0.3' -> 0.3, '30%' -> 0.3."""
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


class _Reader:
    """Reads clauses one by one into an `Edits`, against the parameters in force."""

    def __init__(self, params: Parameters, personas: list[str], words: DomainWords | None,
                 selection: DomainSelection | None) -> None:
        self.params = params
        self.personas = personas
        self.words = words
        self.start = selection or DomainSelection()
        self.selection = self.start
        self.weights = dict(params.persona_weights)
        self.out = Edits()
        self.near_miss = ""  # why the last clause that looked like a domain clause was not one
        self.numeric = {name for name, f in Parameters.model_fields.items()
                        if f.annotation in (int, float)}

    def set(self, name: str, value: Any) -> None:
        """One parameter change, validated; a bad value is a problem, not a change."""
        if getattr(self.params, name) == value:
            self.out.changes.pop(name, None)
            self.out.problems.append(f"{name} is already {value}")
            return
        try:
            Parameters.model_validate({**self.params.model_dump(), **self.out.changes,
                                       name: value})
        except ValidationError as e:
            self.out.problems.append(f"{name} = {value} not applied: {e.errors()[0]['msg']}")
            return
        self.out.changes[name] = value

    def clause(self, low: str) -> bool:
        """Apply one clause; False when no rule reads it."""
        m = re.fullmatch(r"(?:set\s+)?([a-z][a-z _-]*?)\s*(?:=|:|\bto\b|\s)\s*"
                         r"(-?\d+(?:\.\d+)?%?)", low)
        if m:
            name = re.sub(r"[\s-]+", "_", m.group(1).strip())
            name = _NAME_ALIASES.get(m.group(1).strip(), name)
            if name in self.numeric:
                kind = Parameters.model_fields[name].annotation
                value = _number(m.group(2))
                self.set(name, int(value) if kind is int else value)
                return True
        m = re.fullmatch(r"(fewer|less|more)\s+(domains|problems|conversations)", low)
        if m:
            up = _SCALE[m.group(1)] > 1
            if m.group(2) == "domains":
                self.set("k", max(1, self.params.k + (1 if up else -1)))
            elif m.group(2) == "problems":
                self.set("n", max(1, round(self.params.n * _SCALE[m.group(1)])))
            else:
                self.set("conversations_per_problem",
                         max(1, self.params.conversations_per_problem + (1 if up else -1)))
            return True
        m = re.fullmatch(r"(more|fewer|less)\s+(.+?)\s+personas?", low)
        if m and (pid := _persona(m.group(2), self.personas)):
            self.weights[pid] = self.weights.get(pid, 1.0) * (3.0 if m.group(1) == "more"
                                                               else 1 / 3)
            return True
        m = re.fullmatch(r"only\s+(.+?)(?:\s+personas?)?", low)
        if m and (pid := _persona(m.group(1), self.personas)):
            self.weights = {p: (1.0 if p == pid else 0.0) for p in self.personas}
            self.set("personas_per_problem", 1)
            return True
        return self.domain_clause(low)

    def domain_clause(self, low: str) -> bool:
        if self.words is None:
            return False
        for mode, pattern in _DOMAIN_CLAUSES:
            m = pattern.fullmatch(low)
            if not m:
                continue
            found = read_domain_list(m.group("list"), self.words)
            if found.unknown:  # not a list of domains: another pattern, or split at "and"
                if found.ids or found.ambiguous:
                    self.near_miss = "; ".join(found.problems(self.words))
                continue
            if found.ok:
                self.selection = self.selection.with_clause(mode, found.ids)
            else:
                self.out.problems.append(f"{low!r} not applied: "
                                         + "; ".join(found.problems(self.words)))
            return True
        return False

    def is_domain_list(self, piece: str) -> bool:
        """Whether a piece is nothing but domains (it goes on the list before it)."""
        if self.words is None:
            return False
        found = read_domain_list(piece, self.words)
        return bool(found.ids or found.ambiguous) and not found.unknown

    def snapshot(self) -> tuple[Any, ...]:
        """What clauses may change, to put back when a tentative reading fails."""
        return (dict(self.out.changes), list(self.out.problems), self.selection,
                dict(self.weights))

    def restore(self, saved: tuple[Any, ...]) -> None:
        changes, problems, selection, weights = saved
        self.out.changes, self.out.problems = dict(changes), list(problems)
        self.selection, self.weights = selection, dict(weights)

    def finish(self) -> Edits:
        """The edits with their on-screen lines, and k fitted to the domains left."""
        if self.weights != self.params.persona_weights:
            self.out.changes["persona_weights"] = self.weights
        fitted = ""
        if self.selection != self.start and self.words is not None:
            pool = self.selection.pool(self.words.usable)
            if not pool:
                self.out.problems.append("domains not changed: no domain would be left to "
                                         "draw from")
            else:
                self.out.domains = self.selection
                if self.out.changes.get("k", self.params.k) > len(pool):
                    self.out.changes["k"] = len(pool)
                    fitted = f" (only {len(pool)} domain{'s' if len(pool) > 1 else ''} to " \
                             "draw from)"
        for name, value in self.out.changes.items():
            old = getattr(self.params, name)
            if name == "persona_weights":
                self.out.applied.append("persona weights: " + ", ".join(
                    f"{p} {old.get(p, 1.0):g} → {w:g}" for p, w in value.items()
                    if old.get(p, 1.0) != w))
            else:
                self.out.applied.append(f"{name} {old} → {value}"
                                        + (fitted if name == "k" else ""))
        if self.out.domains is not None and self.words is not None:
            self.out.applied.append(f"domains: {self.out.domains.describe(self.words)}")
        return self.out


def _reads(reader: _Reader, clause: str) -> bool:
    """Whether a clause reads cleanly on its own (and apply it)."""
    reader.near_miss = ""
    return reader.clause(clause) and not reader.near_miss


def _not_understood(reader: _Reader, phrase: str) -> None:
    """Say why a phrase was not taken: a domain list without a verb, a domain that is not in
    the catalog, or nothing any rule reads."""
    if reader.is_domain_list(phrase):
        reader.out.problems.append(f"{phrase!r}: say 'only {phrase}' to draw from these "
                                   f"domains alone, or 'include {phrase}' to put one in "
                                   "every problem")
    else:
        reader.out.not_understood.append(phrase)


def parse_edits(text: str, params: Parameters, personas: list[str],
                words: DomainWords | None = None,
                selection: DomainSelection | None = None) -> Edits:
    """What the text asks to change (parameters in force: `params`; domains: `selection`)."""
    reader = _Reader(params, personas, words, selection)
    pieces = [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]
    merged: list[str] = []
    for piece in pieces:  # "domains a, b, c": the list goes on after a domain clause
        if merged and reader.is_domain_list(piece) \
                and any(p.fullmatch(merged[-1].lower()) for _, p in _DOMAIN_CLAUSES):
            merged[-1] += ", " + piece
        else:
            merged.append(piece)
    for phrase in merged:
        low = " ".join(phrase.lower().split())
        reader.near_miss = ""
        if reader.clause(low):
            continue
        near_miss = reader.near_miss
        parts = [p.strip() for p in re.split(r"\band\b", low) if p.strip()]
        if near_miss:  # a domain clause naming something else too: split only if all reads
            saved = reader.snapshot()
            if len(parts) > 1 and all(_reads(reader, p) for p in parts) \
                    and reader.out.problems == saved[1]:
                continue
            reader.restore(saved)
            reader.out.problems.append(f"{phrase!r} not applied: {near_miss}")
            continue
        if len(parts) > 1:
            for part in parts:
                if not reader.clause(part):
                    _not_understood(reader, part)
            continue
        _not_understood(reader, phrase)
    return reader.finish()
