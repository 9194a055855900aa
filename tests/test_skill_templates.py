"""Each skill's template process: seeded, faithful where it should be, lossy where it should be."""

from __future__ import annotations

import random
import re

import pytest

from retrolean.recipes.catalog_loader import load_catalog
from retrolean.skills.caption.template import caption
from retrolean.skills.conversation.grounding import ground
from retrolean.skills.conversation.template import Parts, render
from retrolean.skills.drop_domain.template import drop
from retrolean.skills.fill_in.template import fill_in
from retrolean.skills.formalize.template import formalize_spec
from retrolean.skills.formalize.template import render as render_formal
from retrolean.skills.persona.base import Scene
from retrolean.skills.persona.grammar import load_grammar
from retrolean.skills.persona.template import PROCESSES, describe
from retrolean.skills.problems.spec import Link, ProblemSpec
from retrolean.skills.reformalize.template import Unread, read_exactly, read_loosely
from retrolean.tools.smt_check import smt_check
from retrolean.tools.touchstones import touchstones_present

CATALOG = load_catalog()
CARDS = CATALOG.domains
DOMAINS = ["graph_colouring", "scheduling", "primes"]


def spec_for(seed: int, domains=DOMAINS) -> ProblemSpec:
    return formalize_spec(list(domains), None, random.Random(seed))


def test_formalize_is_seeded_and_uses_every_domain():
    a, b = spec_for(1), spec_for(1)
    assert a == b and a != spec_for(2)
    text = render_formal(a, "smtlib2")
    for d in DOMAINS:
        assert touchstones_present(text, CARDS[d].touchstones.smtlib2, "smtlib2")
    assert len(a.links) == len(DOMAINS) - 1


def test_an_impossible_link_makes_z3_say_unsat():
    params = {"graph_colouring": {"n": 3, "edges": [[0, 1], [1, 2]], "c": 2},
              "primes": {"count": 2, "bound": 20}}
    spec = ProblemSpec(domains=["graph_colouring", "primes"], params=params, links=[
        Link(a="graph_colouring", port_a="colours", b="primes", port_b="primes")])
    verdict = smt_check(render_formal(spec, "smtlib2"))
    assert verdict.status == "unsat"  # colours are 0 or 1, primes at least 2


def test_full_caption_reformalizes_to_the_same_problem():
    for seed in range(10):
        spec = spec_for(seed)
        text, concise = caption(spec, CARDS, random.Random(seed), concise_rate=0.0)
        assert concise == []
        back = read_exactly(text, None, CARDS)
        assert not isinstance(back, Unread)
        assert set(back.domains) == set(spec.domains)
        assert back.params == spec.params
        assert {link.model_dump_json() for link in back.links} == \
            {link.model_dump_json() for link in spec.links}


def test_concise_caption_loses_the_figures():
    spec = spec_for(5)
    text, concise = caption(spec, CARDS, random.Random(0), concise_rate=1.0)
    assert concise == DOMAINS
    assert isinstance(read_exactly(text, None, CARDS), Unread)  # the exact reader will not guess
    back = read_loosely(text, CARDS)  # the loose one guesses default figures
    assert back is not None and set(back.domains) == set(DOMAINS)
    assert back.params != spec.params


def test_text_without_any_domain_reformalizes_to_nothing():
    assert read_loosely("I would like a nice afternoon.", CARDS) is None
    assert isinstance(read_exactly("I would like a nice afternoon.", None, CARDS), Unread)


@pytest.mark.parametrize("persona", sorted(PROCESSES))
def test_persona_descriptions_mention_every_domain_and_keep_segments(persona):
    spec = spec_for(3)
    draft = describe(spec, CARDS, CATALOG.personas[persona], random.Random(0))
    assert set(DOMAINS) <= set(draft.segments)
    back = read_loosely(draft.text, CARDS)
    assert back is not None and set(DOMAINS) <= set(back.domains)


def test_personas_are_distinct_processes():
    spec = spec_for(3)
    texts = {p: [describe(spec, CARDS, CATALOG.personas[p], random.Random(s)).text
                 for s in range(20)] for p in PROCESSES}
    mean_len = {p: sum(map(len, ts)) / len(ts) for p, ts in texts.items()}
    assert mean_len["lazy_busy"] < min(v for p, v in mean_len.items() if p != "lazy_busy") / 2
    assert all(t == t.lower() for t in texts["lazy_busy"])
    assert any(re.search(r"\d", t) for t in texts["stem_on_lsd"])
    assert not any(re.search(r"\d", t) for t in texts["humanities_major"])
    assert all("“" in t for t in texts["autodidact"])  # a private coinage in quotes


def test_persona_slips_are_recorded():
    spec = spec_for(3)
    noisy = CATALOG.personas["stem_on_lsd"].model_copy(update={"temperature": 2.0})
    errors = [e for s in range(30) for e in describe(spec, CARDS, noisy, random.Random(s)).errors]
    assert errors and all(":" in e for e in errors)


@pytest.mark.parametrize("persona", sorted(PROCESSES))
def test_drop_domain_voices_the_need_and_removes_the_domain(persona):
    spec = spec_for(3)
    card = CATALOG.personas[persona]
    draft = describe(spec, CARDS, card, random.Random(1))
    views = Scene.of(spec, CARDS).views
    for dropped in DOMAINS:
        out = drop(spec, draft.segments, dropped, card, CARDS, random.Random(2), 0.0)
        assert views[dropped].mentioned_in(out.text) is None
        assert CARDS[dropped].need.removeprefix("some way to ") not in out.text
        back = read_loosely(out.text, CARDS)
        assert back is None or dropped not in back.domains
        assert not out.frame_shifted and out.frames == {}


@pytest.mark.parametrize("persona", sorted(PROCESSES))
def test_frame_shift_moves_to_the_frame_no_persona_text_used(persona):
    spec = spec_for(3)
    card = CATALOG.personas[persona]
    drafts = [describe(spec, CARDS, CATALOG.personas[p], random.Random(s))
              for p in PROCESSES for s in range(10)]
    out = drop(spec, drafts[0].segments, "primes", card, CARDS, random.Random(2), 1.0)
    assert out.frame_shifted and set(out.frames) == {"graph_colouring", "scheduling"}
    scene = Scene.of(spec, CARDS)
    for domain, name in out.frames.items():
        assert name == scene.reserved[domain].name
        assert all(d.frames.get(domain) != name for d in drafts)


def test_fill_in_names_the_domain_in_fresh_words_and_chooses_its_figures():
    spec = spec_for(3)
    text = fill_in(spec, "scheduling", CARDS, random.Random(0))
    card = CARDS["scheduling"]
    assert card.name in text
    assert card.need.removeprefix("some way to ") not in text and card.description not in text
    assert "job start times" in text  # the link that touches it, stated precisely
    turns = ground([{"role": "user", "content": "I need to line things up."},
                    {"role": "assistant", "content": text}])
    assert turns[0].figures and not turns[0].ungrounded


def test_every_conversation_template_renders_its_turns():
    spec = spec_for(3)
    parts = Parts(missing="m", persona="p", persona_id="lazy_busy", fill_in="f",
                  dropped="primes", caption="c", formal="(assert true)", language="smtlib2",
                  witness={"x": 1})
    for template in CATALOG.conversations.values():
        messages = render(template, parts, CARDS, random.Random(0))
        assert [m["role"] for m in messages] == [t.role for t in template.turns]
        assert all(m["content"] for m in messages)
    solve = render(CATALOG.conversations["solve_directly"], parts, CARDS, random.Random(0))
    assert "```smt2" in solve[-1]["content"] and "x = 1" in solve[-1]["content"]
    assert spec  # the spec only seeds nothing here; parts are given


GRAMMARS = [("retrolean.skills.persona", f"grammars/{p}.yaml") for p in PROCESSES] + [
    ("retrolean.skills.fill_in", "grammar.yaml"), ("retrolean.skills.conversation", "grammar.yaml")]


@pytest.mark.parametrize(("package", "filename"), GRAMMARS)
def test_fixed_phrases_never_name_a_domain(package, filename):
    """Wording that matched a domain's keywords would make that domain appear from nowhere."""
    phrases = load_grammar(package, filename).literals() + CATALOG.themes
    for phrase in phrases:
        for card in CARDS.values():
            for k in card.keywords:
                assert not re.search(k, phrase, re.IGNORECASE), (phrase, card.id, k)


def test_links_that_add_nothing_are_drawn_again():
    flagged = []

    def vacuous(spec):  # the first look finds link 0 vacuous; then all is well
        flagged.append(spec.links[0].model_dump_json())
        return [0] if len(flagged) == 1 else []

    rng = random.Random(4)
    spec = formalize_spec(list(DOMAINS), None, rng, lambda t: smt_check(t).witness, 0.7, vacuous)
    assert len(flagged) == 2 and flagged[0] != flagged[1]
    assert spec.links[0].model_dump_json() == flagged[1]
