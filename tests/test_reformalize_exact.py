"""The exact reader reads every sentence or says why not; the loose one guesses, never links."""

from __future__ import annotations

import random

import pytest

from retrolean.memory.signature import Signature
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.skills.caption.template import CONCISE, caption, caption_segments
from retrolean.skills.formalize.template import formalize_spec, render
from retrolean.skills.problems import links as link_module
from retrolean.skills.problems.gadget import Port
from retrolean.skills.problems.registry import gadget_domains, gadget_for
from retrolean.skills.problems.spec import Link, ProblemSpec, compile_spec
from retrolean.skills.reformalize.template import Unread, read_exactly, read_loosely
from retrolean.tools.signatures import smt_signature
from retrolean.tools.smt_check import smt_check
from retrolean.tools.smt_proofs import equivalence

CATALOG = load_catalog()
CARDS, THEMES = CATALOG.domains, list(CATALOG.themes)


def captioned(seed: int, k: int = 3, concise: float = 0.0) -> tuple[ProblemSpec, str, str]:
    rng = random.Random(seed)
    spec = formalize_spec(rng.sample(gadget_domains(), k), rng.choice([None, *THEMES]), rng)
    return spec, render(spec, "smtlib2"), caption(spec, CARDS, random.Random(seed), concise)[0]


def test_every_full_caption_reads_back_to_an_equivalent_problem_over_its_signature():
    for seed in range(60):
        spec, smt, text = captioned(seed, k=1 + seed % 4)
        back = read_exactly(text, smt_signature(smt), CARDS, THEMES)
        assert not isinstance(back, Unread), (seed, back)
        assert equivalence(smt, render(back, "smtlib2")).holds


def test_sentences_in_any_order_read_to_the_same_problem():
    spec, smt, text = captioned(3)
    shuffled = " ".join(reversed(text.split(". ")))  # crude, but every sentence stays whole
    back = read_exactly(shuffled.replace("..", "."), smt_signature(smt), CARDS, THEMES)
    if not isinstance(back, Unread):
        assert equivalence(smt, render(back, "smtlib2")).holds


@pytest.mark.parametrize("edit, why", [
    (lambda t: t + " Also, every vertex colour is at most 1.", "cannot read"),
    (lambda t: t + " The setting is a secret moon base.", "cannot read"),
])
def test_a_sentence_it_cannot_read_fails_closed(edit, why):
    spec, smt, text = captioned(5)
    out = read_exactly(edit(text), smt_signature(smt), CARDS, THEMES)
    assert isinstance(out, Unread) and why in out.reason


def test_a_part_named_without_figures_is_not_guessed():
    spec, smt, _text = captioned(7)
    segments, _ = caption_segments(spec, CARDS, random.Random(7))
    first = spec.domains[0]
    segments[first] = CONCISE.format(name=CARDS[first].name)
    out = read_exactly(" ".join(segments.values()), smt_signature(smt), CARDS, THEMES)
    assert isinstance(out, Unread) and "details left open" in out.reason


def test_unknowns_other_than_the_signature_fail_closed():
    spec, smt, text = captioned(9)
    fewer = Signature(unknowns=smt_signature(smt).unknowns[1:])
    out = read_exactly(text, fewer, CARDS, THEMES)
    assert isinstance(out, Unread) and "signature" in out.reason


def test_two_different_statements_of_one_part_fail_closed():
    gadget = gadget_for("primes")
    one = gadget.describe({"count": 2, "bound": 20}, random.Random(0))
    two = gadget.describe({"count": 3, "bound": 20}, random.Random(0))
    out = read_exactly(f"{one} {two}", None, CARDS)
    assert isinstance(out, Unread) and "stated twice" in out.reason


def test_the_link_sentences_live_in_one_table_and_the_reader_follows_it(monkeypatch):
    """Rephrase a link sentence in links.SENTENCES only: caption and exact reader agree."""
    key = ("item", "equal")
    monkeypatch.setitem(link_module.SENTENCES, key,
                        "The {i}th of {a} is the same number as the {j}th of {b}.")
    link_module._sentence_regexes.cache_clear()
    try:
        for seed in range(30):
            spec, smt, text = captioned(seed)
            back = read_exactly(text, smt_signature(smt), CARDS, THEMES)
            assert not isinstance(back, Unread), back
            assert equivalence(smt, render(back, "smtlib2")).holds
    finally:
        link_module._sentence_regexes.cache_clear()


def test_the_loose_reader_guesses_figures_but_invents_no_link():
    back = read_loosely("we need prime numbers and a graph colouring", CARDS)
    assert back is not None and set(back.domains) == {"primes", "graph_colouring"}
    assert back.links == []


@pytest.mark.parametrize("domain", gadget_domains())
def test_every_gadgets_default_figures_are_consistent(domain):
    spec = ProblemSpec(domains=[domain], params={domain: gadget_for(domain).defaults()})
    compile_spec(spec)
    assert smt_check(render(spec, "smtlib2")).ok


def test_a_link_names_its_items_as_the_caption_numbers_them():
    colours = Port("colours", "the vertex colours", ("c0", "c1", "c2"), 0, 2,
                   item="the colour of vertex {k}", first=0)
    starts = Port("starts", "the job start times", ("s0", "s1"), 0, 9,
                  item="the start time of job {k}", first=1)
    link = Link(a="g", port_a="colours", b="j", port_b="starts", relation="at_most",
                scope="item", item_a=3, item_b=1)
    assert (link_module.describe_link(link, colours, starts)
            == "The colour of vertex 2 is at most the start time of job 1.")


def test_an_item_without_a_phrase_is_named_by_its_position():
    primes = Port("primes", "the chosen primes", ("p0", "p1", "p2"), 2, 30)
    assert link_module.item_name(primes, 3) == "the third of the chosen primes"
    cells = Port("cells", "the cells", tuple(f"x{i}" for i in range(9)), 1, 3,
                 item="the symbol in row {r}, column {c}", first=0, columns=3)
    assert link_module.item_name(cells, 6) == "the symbol in row 1, column 2"


def test_every_item_phrase_of_a_problem_names_one_unknown():
    """Two unknowns with one name would make a link read two ways (the reader refuses)."""
    for domain in gadget_domains():
        gadget = gadget_for(domain)
        part = gadget.build(gadget.defaults())
        names = [link_module.item_name(p, i) for p in part.ports
                 for i in range(1, len(p.terms) + 1)]
        assert len(names) == len(set(names)), domain
        assert not any("{" in n for n in names), domain


def test_the_loose_reader_sees_a_domain_named_only_by_a_frame_or_lay_term():
    """A persona's words put back into a missing-domain text must bring the domain back."""
    card = CARDS["mendelian_genetics"]
    for phrase in (card.frames[0].name, card.lay_terms[0]):
        back = read_loosely(f"and then the {phrase} thing, roughly", CARDS)
        assert back is not None and "mendelian_genetics" in back.domains, phrase


def test_a_theme_sets_the_scene_in_varied_sentences_the_exact_reader_reads():
    seen = set()
    for seed in range(40):
        rng = random.Random(seed)
        spec = formalize_spec(rng.sample(gadget_domains(), 2), THEMES[seed % len(THEMES)], rng)
        segments, _ = caption_segments(spec, CARDS, random.Random(seed))
        seen.add(segments["@theme"].split(THEMES[seed % len(THEMES)])[0])
        text = " ".join(segments.values())
        back = read_exactly(text, smt_signature(render(spec, "smtlib2")), CARDS, THEMES)
        assert not isinstance(back, Unread), back
    assert len(seen) >= 3
