"""The text measures of `eval report`, each on a tiny set whose answer is known."""

from __future__ import annotations

from retrolean.evals.text_quality import (
    frame_shifts,
    leak_in,
    measure,
    ngram_repeats,
    repeated_sentence,
    verbatim_catalog,
)
from retrolean.recipes.catalog_loader import load_catalog

CARDS = load_catalog().domains
TEN = "one two three four five six seven eight nine ten"


def test_identical_texts_repeat_every_ngram_and_distinct_ones_none():
    assert ngram_repeats([TEN, TEN]).share == 1.0
    assert ngram_repeats([TEN, "a b c d e f g h i j"]).share == 0.0
    # three 8-grams per text; one of them occurs in both texts
    half = ngram_repeats([TEN, "x y one two three four five six seven eight"])
    assert (half.occurrences, half.repeated) == (6, 2)


def test_a_sentence_said_twice_is_found_and_code_is_ignored():
    assert repeated_sentence("Quick q. Five jobs. quick q!") == "quick q!"
    assert repeated_sentence("Five jobs.\n\n```\nx = 1\nx = 1\n```") is None


def test_leaks_are_snake_case_anywhere_and_caption_names_in_user_text():
    assert leak_in("the graph_colouring part", "assistant", []) == "graph_colouring"
    assert leak_in("```\nstart_job0 = 1\n```", "assistant", []) is None
    assert leak_in("the derangement targets move", "user", ["derangement targets"])
    assert leak_in("the derangement targets move", "assistant", ["derangement targets"]) is None


def _record(**parts):
    base = {"id": "r1", "personas": {}, "conversations": []}
    base.update(parts)
    return base


def test_the_catalog_need_copied_verbatim_is_counted():
    card = CARDS["primes"]
    copied = _record(missing={"dropped": "primes", "text": f"I need {card.need}."},
                     fill_in={"text": f"That is primes. In general: {card.description}"})
    fresh = _record(id="r2", missing={"dropped": "primes", "text": "I need odd numbers."},
                    fill_in={"text": "That is primes."})
    out = verbatim_catalog([copied, fresh], CARDS)
    assert (out["missing"].count, out["fill_in"].count, out["both"].share) == (1, 1, 0.5)


def test_a_frame_shift_to_a_frame_a_persona_used_does_not_count():
    frames = CARDS["primes"].frames
    record = _record(
        personas={"humanities_major": {"text": "…", "frames": {"primes": frames[0].name}}},
        missing={"frame_shifted": True, "frames": {"primes": frames[0].name}})
    moved = _record(id="r2", personas={"humanities_major": {"text": "…", "frames": {}}},
                    missing={"frame_shifted": True, "frames": {"primes": frames[1].name}})
    out = frame_shifts([record, moved], CARDS)
    assert (out.total, out.count) == (2, 1)


def test_measure_counts_grounding_and_repastes_per_conversation():
    conversation = {"template": "gap_first", "messages": [
        {"role": "user", "content": "I need 3 things. Quick q."},
        {"role": "assistant", "content": "Take 3 of them and 7 more."},
        {"role": "user", "content": "Quick q. Also this."}]}
    q = measure([_record(conversations=[conversation])], CARDS)
    assert (q.grounded.total, q.grounded.count) == (2, 1)
    assert (q.repastes.total, q.repastes.count) == (1, 1)
