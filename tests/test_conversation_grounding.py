"""Conversations are grounded, never re-pasted, and offer the problems nearest to the user's words.

Built the way the run builds them (template personas, a dropped domain, the
fill-in) over many problems, every shape, every persona.
"""

from __future__ import annotations

import random
import re
from functools import cache

import pytest

from retrolean.recipes.catalog_loader import load_catalog
from retrolean.skills.caption.template import caption
from retrolean.skills.conversation.grounding import ground, is_declaration
from retrolean.skills.conversation.related import similar_domains
from retrolean.skills.conversation.template import Parts, render
from retrolean.skills.drop_domain.template import drop
from retrolean.skills.fill_in.template import fill_in
from retrolean.skills.formalize.template import formalize_spec
from retrolean.skills.formalize.template import render as render_formal
from retrolean.skills.persona.template import PROCESSES, describe
from retrolean.skills.problems.registry import gadget_domains, gadget_for
from retrolean.skills.wording import sentence_key, sentences

CATALOG = load_catalog()
CARDS = CATALOG.domains


@cache
def parts_list(n: int = 24) -> list[Parts]:
    """Conversation parts for n problems, the missing-domain persona cycling over all four."""
    rng = random.Random(11)
    out = []
    for i in range(n):
        spec = formalize_spec(rng.sample(gadget_domains(), 3), None, random.Random(i))
        pid = sorted(PROCESSES)[i % len(PROCESSES)]
        card = CATALOG.personas[pid]
        draft = describe(spec, CARDS, card, random.Random(i))
        dropped = spec.domains[i % 3]
        missing = drop(spec, draft.segments, dropped, card, CARDS, random.Random(i), 0.5)
        text, _ = caption(spec, CARDS, random.Random(i))
        out.append(Parts(missing=missing.text, persona=draft.text, persona_id=pid,
                         fill_in=fill_in(spec, dropped, CARDS, random.Random(i)),
                         dropped=dropped, caption=text, formal=render_formal(spec, "smtlib2"),
                         language="smtlib2", witness={"x_0": 3}, segments=draft.segments,
                         spec=spec, persona_card=card))
    return out


@pytest.mark.parametrize("template", sorted(CATALOG.conversations))
def test_every_figure_an_assistant_states_is_grounded(template):
    for i, parts in enumerate(parts_list()):
        messages = render(CATALOG.conversations[template], parts, CARDS, random.Random(i))
        for turn in ground(messages):
            assert not turn.ungrounded, (template, messages[turn.index]["content"])


@pytest.mark.parametrize("template", sorted(CATALOG.conversations))
def test_a_user_never_repeats_an_earlier_turn_and_no_turn_repeats_itself(template):
    for i, parts in enumerate(parts_list()):
        messages = render(CATALOG.conversations[template], parts, CARDS, random.Random(i))
        said: set[str] = set()
        for m in messages:
            keys = [sentence_key(s) for s in sentences(m["content"].split("```")[0])]
            assert len(keys) == len(set(keys)), m["content"]
            if m["role"] == "user":
                assert not said & set(keys), m["content"]
                said |= set(keys)


def test_the_user_adds_the_missing_piece_in_their_own_words():
    for i, parts in enumerate(parts_list()):
        messages = render(CATALOG.conversations["gap_first"], parts, CARDS, random.Random(i))
        piece = parts.segments[parts.dropped].lstrip("\n- ")
        assert piece in messages[2]["content"]


def test_related_offers_the_nearest_domains_with_the_true_one_and_goes_on_with_it():
    for i, parts in enumerate(parts_list()):
        messages = render(CATALOG.conversations["related_problems"], parts, CARDS,
                          random.Random(i))
        offer = messages[1]["content"]
        named = [d for d in gadget_domains() if f") {CARDS[d].name}," in offer
                 or f") {CARDS[d].name}:" in offer]
        assert parts.dropped in named and len(named) == 3
        others = {d for d in named if d != parts.dropped}
        full = {sentence_key(x) for x in sentences(parts.persona)}
        gap = " ".join(x for x in sentences(parts.missing) if sentence_key(x) not in full)
        pool = [d for d in gadget_domains() if d not in parts.spec.domains]
        ranked = similar_domains(gap, CARDS, pool)
        assert others == set(ranked[:2])  # the two nearest to the user's words about the gap
        label = next(line[1] for line in offer.split("\n\n")
                     if line.startswith("(") and CARDS[parts.dropped].name in line)
        assert re.match(rf"\W*(\w+ )*\(?{label}\b", messages[2]["content"], re.IGNORECASE)
        true_paragraph = next(p for p in offer.split("\n\n") if CARDS[parts.dropped].name in p)
        assert is_declaration(true_paragraph)
        # the instance offered is the problem's own, the one the rigorous turn goes on with
        assert gadget_for(parts.dropped).parse(true_paragraph) == parts.spec.params[parts.dropped]
        assert parts.caption in messages[3]["content"]


def test_the_true_problem_ranks_first_for_its_own_need():
    hits = 0
    for d in gadget_domains():
        card = CARDS[d]
        text = f"I need some way to {card.need_goals[0]} {card.need_conditions[0]}"
        hits += similar_domains(text, CARDS)[0] == d
    assert hits >= 0.9 * len(gadget_domains())


def test_grounding_counts_user_words_and_declared_paragraphs():
    messages = [
        {"role": "user", "content": "five jobs, deadline 12"},
        {"role": "assistant", "content": "Jobs 5, deadline 12, durations 3 and 4."},
        {"role": "assistant", "content": "I'll take durations 3 and 4.\n\nJobs 5, 3 and 4.\n\n"
                                         "```smt2\n(assert (= x 99))\n```"},
    ]
    first, second = ground(messages)
    assert first.ungrounded == [3, 4]
    assert second.ungrounded == []  # 99 is code, not prose
