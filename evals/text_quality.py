"""Measures on the words of a set: does the text read as written, or as a filled-in template?

Counted on the final set, no model needed (docs/evals.md defines each so it
can be recomputed by hand):

- repeated 8-grams: per persona, the share of 8-gram occurrences (lower-cased
  word tokens, within one text) whose 8-gram occurs more than once in that
  persona's texts; and the same over all persona texts pooled;
- sentences repeated inside one text (persona, missing-domain, fill-in, each
  conversation turn);
- identifier leaks: snake_case names or catalog field names in any prose, and
  the caption's names for a problem's quantities ("the derangement targets")
  in text a user speaks, unless the domain's card uses the same words as its
  name, a lay term or a figure;
- catalog phrases copied verbatim: the dropped domain's `need` in the
  missing-domain text, its `need` or `description` in the fill-in;
- frame shifts: the share of re-described parts whose new frame no persona
  text of the record used;
- grounded figures in assistant turns (`skills.conversation.grounding`);
- user turns that re-paste a sentence of an earlier user turn;
- link kinds: how the set's links are scoped and related.

Trade-off: the catalog is the shipped one (a run made with a user's catalog is
measured against the shipped needs and frames), and leaks of the caption's
quantity names are looked for only among the record's own domains.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, Field

from retrolean.skills.cards import DomainCard
from retrolean.skills.conversation.grounding import ground
from retrolean.skills.persona.lay import NEED_PREFIX, strip_article
from retrolean.skills.problems.spec import ProblemSpec, compile_spec
from retrolean.skills.wording import prose, sentence_key, sentences, words

NGRAM = 8
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
FIELD_WORDS = re.compile(r"\btouchstones?\b", re.IGNORECASE)  # the other fields are snake_case
EXAMPLES = 5


class NgramRepeats(BaseModel):
    """8-gram occurrences in one persona's texts, and those whose 8-gram occurs again."""

    texts: int
    occurrences: int
    repeated: int
    share: float | None
    top: list[tuple[str, int]] = Field(default_factory=list)


class Share(BaseModel):
    """How many of `total` items have the property, and a few examples."""

    total: int
    count: int
    share: float | None
    examples: list[str] = Field(default_factory=list)


def _share(total: int, count: int, examples: list[str] | None = None) -> Share:
    return Share(total=total, count=count,
                 share=round(count / total, 4) if total else None,
                 examples=(examples or [])[:EXAMPLES])


class TextQuality(BaseModel):
    """Every text measure of a set."""

    ngrams: dict[str, NgramRepeats]  # per persona, and "all"
    repeated_sentences: dict[str, Share]  # per kind of text: texts with a sentence twice
    leaks: dict[str, Share]  # per kind of text: texts with an identifier leak
    verbatim: dict[str, Share]  # "missing" (need), "fill_in" (need or description), "both"
    frame_shifts: Share  # re-described parts whose frame no persona text used
    grounded: Share  # assistant figures grounded
    grounded_by_template: dict[str, Share]
    repastes: Share  # later user turns repeating a sentence of an earlier user turn
    link_kinds: dict[str, int]


def ngram_repeats(texts: list[str], n: int = NGRAM, top: int = 5) -> NgramRepeats:
    """Share of n-gram occurrences (within texts) whose n-gram occurs more than once overall."""
    counts: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        w = words(text)
        counts.update(tuple(w[i:i + n]) for i in range(len(w) - n + 1))
    total = sum(counts.values())
    repeated = sum(c for c in counts.values() if c > 1)
    return NgramRepeats(texts=len(texts), occurrences=total, repeated=repeated,
                        share=round(repeated / total, 4) if total else None,
                        top=[(" ".join(g), c) for g, c in counts.most_common(top) if c > 1])


def repeated_sentence(text: str) -> str | None:
    """The first sentence of a text's prose that the text says twice, or None."""
    seen: set[str] = set()
    for s in sentences(prose(text)):
        key = sentence_key(s)
        if key in seen:
            return s
        if key:
            seen.add(key)
    return None


def _texts(record: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(kind, speaker, text) of every generated text of a record."""
    for p in (record.get("personas") or {}).values():
        yield "persona", "user", p.get("text", "")
    if (record.get("missing") or {}).get("text"):
        yield "missing", "user", record["missing"]["text"]
    if (record.get("fill_in") or {}).get("text"):
        yield "fill_in", "assistant", record["fill_in"]["text"]
    for c in record.get("conversations", []):
        for m in c.get("messages", []):
            kind = "user turn" if m.get("role") == "user" else "assistant turn"
            yield kind, m.get("role", ""), m.get("content", "")


def _port_nouns(record: dict[str, Any], cards: dict[str, DomainCard]) -> list[str]:
    """The caption's names for the record's quantities, article stripped ('vertex colours'),
    except those the domain's card also uses as everyday words (its name, lay terms or
    figures: "perfect squares" is what people call them)."""
    spec = (record.get("formal") or {}).get("spec")
    if not spec:
        return []
    try:
        problem = compile_spec(ProblemSpec.model_validate(spec))
    except (ValueError, KeyError):
        return []
    out = []
    for section in problem.sections:
        card = cards.get(section.domain)
        lay = " | ".join([card.name, *card.lay_terms, *card.figures]).lower() if card else ""
        out += [n for p in section.part.ports if (n := strip_article(p.noun)).lower() not in lay]
    return out


def leak_in(text: str, speaker: str, nouns: list[str]) -> str | None:
    """The first identifier a text leaks, or None (see the module docstring)."""
    body = prose(text)
    if m := SNAKE.search(body) or FIELD_WORDS.search(body):
        return m.group(0)
    if speaker == "user":
        lowered = body.lower()
        for noun in nouns:
            if re.search(r"\b" + re.escape(noun.lower()) + r"\b", lowered):
                return noun
    return None


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def verbatim_catalog(records: list[dict[str, Any]], cards: dict[str, DomainCard]
                     ) -> dict[str, Share]:
    """Missing-domain texts holding the dropped domain's need, fill-ins its need or description.

    The need is compared without its leading "some way to", so a rewording of the
    opening alone still counts as a copy.
    """
    out: dict[str, tuple[int, int, list[str]]] = {"missing": (0, 0, []), "fill_in": (0, 0, [])}
    for r in records:
        m, f = r.get("missing") or {}, r.get("fill_in") or {}
        card = cards.get(m.get("dropped", ""))
        if card is None:
            continue
        need = _normal(card.need.removeprefix(NEED_PREFIX))
        for kind, text, phrases in (("missing", m.get("text"), [need]),
                                    ("fill_in", f.get("text"),
                                     [need, _normal(card.description)])):
            if not text:
                continue
            total, count, ex = out[kind]
            hit = any(p in _normal(text) for p in phrases)
            out[kind] = (total + 1, count + hit, ex + ([r["id"]] if hit else []))
    shares = {k: _share(*v) for k, v in out.items()}
    both = [out["missing"], out["fill_in"]]
    shares["both"] = _share(sum(t for t, _, _ in both), sum(c for _, c, _ in both),
                            [e for _, _, ex in both for e in ex])
    return shares


def frame_shifts(records: list[dict[str, Any]], cards: dict[str, DomainCard]) -> Share:
    """Re-described parts whose new frame no persona text of the record used.

    A persona text used a frame if it recorded that frame for the domain, or if the
    frame's text appears in it word for word.
    """
    total, fresh, stale = 0, 0, []
    for r in records:
        m = r.get("missing") or {}
        if not m.get("frame_shifted"):
            continue
        personas = (r.get("personas") or {}).values()
        for domain, name in (m.get("frames") or {}).items():
            total += 1
            card = cards.get(domain)
            text = next((f.text for f in card.frames if f.name == name), None) if card else None
            used = any(p.get("frames", {}).get(domain) == name
                       or (text and _normal(text) in _normal(p.get("text", "")))
                       for p in personas)
            if used:
                stale.append(f"{r['id']}: {domain} -> {name}")
            else:
                fresh += 1
    return _share(total, fresh, stale)


def measure(records: list[dict[str, Any]], cards: dict[str, DomainCard]) -> TextQuality:
    """Every text measure of the records."""
    by_persona: dict[str, list[str]] = {}
    for r in records:
        for pid, p in sorted((r.get("personas") or {}).items()):
            by_persona.setdefault(pid, []).append(p.get("text", ""))
    ngrams = {pid: ngram_repeats(ts) for pid, ts in sorted(by_persona.items())}
    ngrams["all"] = ngram_repeats([t for ts in by_persona.values() for t in ts])

    repeats: dict[str, tuple[int, int, list[str]]] = {}
    leaks: dict[str, tuple[int, int, list[str]]] = {}
    for r in records:
        nouns = _port_nouns(r, cards)
        for kind, speaker, text in _texts(r):
            total, count, ex = repeats.get(kind, (0, 0, []))
            again = repeated_sentence(text)
            repeats[kind] = (total + 1, count + bool(again),
                             ex + ([f"{r['id']}: {again}"] if again else []))
            total, count, ex = leaks.get(kind, (0, 0, []))
            leak = leak_in(text, speaker, nouns)
            leaks[kind] = (total + 1, count + bool(leak),
                           ex + ([f"{r['id']}: {leak}"] if leak else []))

    figures_total, figures_grounded, loose = 0, 0, []
    per_template: dict[str, tuple[int, int, list[str]]] = {}
    pastes_total, pastes, pasted = 0, 0, []
    for r in records:
        for c in r.get("conversations", []):
            turns = ground(c.get("messages", []))
            n = sum(len(t.figures) for t in turns)
            g = n - sum(len(t.ungrounded) for t in turns)
            bad = [f"{r['id']} {c.get('template')}: {t.ungrounded}" for t in turns if t.ungrounded]
            figures_total, figures_grounded, loose = figures_total + n, figures_grounded + g, \
                loose + bad
            t_total, t_count, t_ex = per_template.get(c.get("template", "?"), (0, 0, []))
            per_template[c.get("template", "?")] = (t_total + n, t_count + g, t_ex + bad)
            said: set[str] = set()
            for m in c.get("messages", []):
                if m.get("role") != "user":
                    continue
                keys = {sentence_key(s) for s in sentences(m.get("content", ""))} - {""}
                if said:
                    pastes_total += 1
                    if keys & said:
                        pastes += 1
                        pasted.append(f"{r['id']} {c.get('template')}")
                said |= keys

    links: Counter[str] = Counter()
    for r in records:
        for link in ((r.get("formal") or {}).get("spec") or {}).get("links", []):
            links[f"{link.get('scope', 'each')}/{link.get('relation', 'equal')}"] += 1

    return TextQuality(
        ngrams=ngrams,
        repeated_sentences={k: _share(*v) for k, v in sorted(repeats.items())},
        leaks={k: _share(*v) for k, v in sorted(leaks.items())},
        verbatim=verbatim_catalog(records, cards),
        frame_shifts=frame_shifts(records, cards),
        grounded=_share(figures_total, figures_grounded, loose),
        grounded_by_template={k: _share(*v) for k, v in sorted(per_template.items())},
        repastes=_share(pastes_total, pastes, pasted),
        link_kinds=dict(links.most_common()))

