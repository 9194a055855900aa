"""The persona processes vary like writers, not like a form: seeded, unrepeated, leak-free.

Properties checked over many problems: same seed, same text; no sentence twice
in a text; no snake_case name or caption quantity name; each persona's 8-grams
mostly its own; an autodidact never gives two ideas one name; the frames a
persona uses are never the one kept back for a frame shift.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from functools import cache

import pytest

from retrolean.evals.text_quality import ngram_repeats, repeated_sentence
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.skills.formalize.template import formalize_spec
from retrolean.skills.persona.base import Draft, Scene
from retrolean.skills.persona.lay import strip_article
from retrolean.skills.persona.template import PROCESSES, describe
from retrolean.skills.problems.registry import gadget_domains
from retrolean.skills.problems.spec import ProblemSpec, compile_spec
from retrolean.skills.wording import words

CATALOG = load_catalog()
CARDS = CATALOG.domains


@cache
def specs(n: int = 80) -> list[ProblemSpec]:
    """n problems of three domains each, half of them with a theme (seeded)."""
    rng = random.Random(7)
    domains = gadget_domains()
    return [formalize_spec(rng.sample(domains, 3),
                           rng.choice(CATALOG.themes) if rng.random() < 0.5 else None,
                           random.Random(i)) for i in range(n)]


@cache
def drafts(persona: str) -> list[tuple[ProblemSpec, Draft]]:
    card = CATALOG.personas[persona]
    return [(spec, describe(spec, CARDS, card, random.Random(f"{persona}:{i}")))
            for i, spec in enumerate(specs())]


@pytest.mark.parametrize("persona", sorted(PROCESSES))
def test_same_seed_same_text_and_another_seed_another(persona):
    spec, card = specs()[0], CATALOG.personas[persona]
    a = describe(spec, CARDS, card, random.Random(1))
    b = describe(spec, CARDS, card, random.Random(1))
    assert a == b
    assert describe(spec, CARDS, card, random.Random(2)).text != a.text


@pytest.mark.parametrize("persona", sorted(PROCESSES))
def test_no_sentence_is_said_twice_in_a_text(persona):
    assert [d.text for _, d in drafts(persona) if repeated_sentence(d.text)] == []


@pytest.mark.parametrize("persona", sorted(PROCESSES))
def test_no_internal_name_leaks_into_a_persona_text(persona):
    for spec, draft in drafts(persona):
        assert not re.search(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", draft.text), draft.text
        for section in compile_spec(spec).sections:
            card = CARDS[section.domain]
            lay = " ".join([card.name, *card.lay_terms, *card.figures]).lower()
            for port in section.part.ports:
                noun = strip_article(port.noun).lower()
                if noun not in lay:
                    assert noun not in draft.text.lower(), (noun, draft.text)


@pytest.mark.parametrize("persona", sorted(PROCESSES))
def test_a_persona_rarely_repeats_itself_across_texts(persona):
    """The issue's bar is 15% of 8-gram occurrences on a run's ~80 final texts."""
    share = ngram_repeats([d.text for _, d in drafts(persona)]).share
    assert share is not None and share <= 0.15


def test_personas_differ_more_from_each_other_than_they_repeat_themselves():
    """A persona echoes another persona's 8-grams less often than it repeats its own."""
    grams: dict[str, Counter[tuple[str, ...]]] = {}
    for persona in PROCESSES:
        grams[persona] = Counter()
        for _, d in drafts(persona):
            w = words(d.text)
            grams[persona].update(tuple(w[i:i + 8]) for i in range(len(w) - 7))
    for a, mine in grams.items():
        total = sum(mine.values())
        own = sum(c for c in mine.values() if c > 1) / total
        for b, theirs in grams.items():
            if b != a:
                echoed = sum(c for g, c in mine.items() if g in theirs) / total
                assert echoed < own, (a, b, echoed, own)


def test_an_autodidact_never_gives_two_ideas_one_name():
    for _, draft in drafts("autodidact"):
        names = re.findall(r"“([^”]+)”", draft.text)
        assert names and len(names) == len(set(names)), draft.text


@pytest.mark.parametrize("persona", sorted(PROCESSES))
def test_persona_frames_are_recorded_and_never_the_reserved_one(persona):
    used = 0
    for spec, draft in drafts(persona):
        reserved = Scene.of(spec, CARDS).reserved
        for domain, name in draft.frames.items():
            used += 1
            assert name != reserved[domain].name
            assert name in {f.name for f in CARDS[domain].frames}
    assert used > 0


@pytest.mark.parametrize("persona", sorted(PROCESSES))
def test_every_domain_and_link_keeps_its_own_segment(persona):
    for spec, draft in drafts(persona):
        assert set(spec.domains) <= set(draft.segments)
        non_domain = [t for k, t in draft.segments.items() if k.startswith("@")
                      and not k.startswith("@link")]
        for text in non_domain:  # openings, asides, closings name no domain
            for card in CARDS.values():
                assert not any(re.search(k, text, re.IGNORECASE) for k in card.keywords), \
                    (card.id, text)
