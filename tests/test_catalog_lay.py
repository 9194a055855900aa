"""The catalog's lay fields: enough frames, needs in other words, figures that cover the gadgets.

These are what let the template processes vary their words per record and keep
their promises: a need that never copies the catalog and never names its
domain, a frame kept back for every frame shift, figure phrases that can
declare every number a caption states, names for every quantity a link ties.
"""

from __future__ import annotations

import itertools
import random
import re

import pytest

from retrolean.recipes.catalog_loader import load_catalog
from retrolean.skills.cards import MIN_FRAMES
from retrolean.skills.persona.lay import NEED_PREFIX, PLACEHOLDER, DomainView, strip_article
from retrolean.skills.problems.registry import gadget_domains, gadget_for
from retrolean.skills.wording import figures

CARDS = load_catalog().domains
DOMAINS = sorted(set(gadget_domains()) & set(CARDS))


def _keyword_hits(text: str, skip: str | None = None) -> list[tuple[str, str]]:
    text = PLACEHOLDER.sub(" ", text)
    return [(d, k) for d, card in CARDS.items() if d != skip for k in card.keywords
            if re.search(k, text, re.IGNORECASE)]


def test_every_domain_has_four_frames_and_each_frame_text_names_its_domain():
    for card in CARDS.values():
        assert len(card.frames) >= MIN_FRAMES
        assert len({f.name for f in card.frames}) == len(card.frames)
        for frame in card.frames:
            assert any(re.search(k, frame.text, re.IGNORECASE) for k in card.keywords), \
                (card.id, frame.name)


def test_lay_words_of_a_domain_never_name_another_domain():
    for card in CARDS.values():
        words = [*card.lay_terms, *card.figures, *(q for qs in card.quantities.values()
                                                    for q in qs)]
        words += [f"{f.name} {f.text}" for f in card.frames]
        for text in words:
            assert not _keyword_hits(text, skip=card.id), (card.id, text)


def test_need_parts_name_no_domain_and_never_rebuild_the_catalog_need():
    for card in CARDS.values():
        assert len(card.need_goals) >= 3 and len(card.need_conditions) >= 3, card.id
        for part in card.need_goals + card.need_conditions:
            assert not _keyword_hits(part), (card.id, part)
        core = card.need.removeprefix(NEED_PREFIX).lower()
        for goal, cond in itertools.product(card.need_goals, card.need_conditions):
            assert core not in f"{goal} {cond}".lower(), (card.id, goal, cond)


def test_every_domain_can_say_its_need_without_figures():
    for card in CARDS.values():
        for parts in (card.need_goals, card.need_conditions):
            assert any(not PLACEHOLDER.search(p) and not figures(p) for p in parts), card.id


@pytest.mark.parametrize("domain", DOMAINS)
def test_lay_fields_render_for_sampled_problems(domain):
    card, gadget = CARDS[domain], gadget_for(domain)
    for seed in range(5):
        view = DomainView.of(card, gadget.sample(random.Random(seed)))
        for template in card.figures + card.need_goals + card.need_conditions:
            assert "{" not in view.figure(template)


@pytest.mark.parametrize("domain", DOMAINS)
def test_figure_phrases_cover_every_number_the_caption_states(domain):
    """The rigorous turn declares figures the user never gave by these phrases."""
    card, gadget = CARDS[domain], gadget_for(domain)
    for seed in range(10):
        params = gadget.sample(random.Random(seed))
        view = DomainView.of(card, params)
        said = view.numbers() | {0, 1}
        for template in gadget.sentences:
            values = {k: c.render(params[k]) for k, c in gadget.fields.items()}
            missing = set(figures(template.format(**values))) - said
            assert not missing, (domain, template, missing)


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_quantity_has_lay_names_other_than_the_captions(domain):
    card, gadget = CARDS[domain], gadget_for(domain)
    ports = gadget.build(gadget.sample(random.Random(0))).ports
    assert set(card.quantities) == {p.name for p in ports}
    for port in ports:
        names = card.quantities[port.name]
        assert len(names) >= 2
        noun = strip_article(port.noun).lower()
        assert not any(noun in n.lower() for n in names), (domain, noun, names)
