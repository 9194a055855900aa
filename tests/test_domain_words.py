"""Domains in plain words: resolving catalog words, edits and goals, and the pool they make."""

from __future__ import annotations

import pytest

from retrolean.agent.domain_choice import (
    DomainSelection,
    DomainWords,
    domains_in_goal,
    read_domain_list,
)
from retrolean.agent.graph.edits import parse_edits
from retrolean.agent.pipeline import RunOptions, prepare
from retrolean.agent.settings import Settings
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.recipes.recipe import Parameters

PERSONAS = ["autodidact", "humanities_major", "lazy_busy", "stem_on_lsd"]
MUSIC, KNITTING, COINS = "music_intervals", "knitting_patterns", "coin_change"


@pytest.fixture(scope="module")
def words() -> DomainWords:
    return DomainWords(load_catalog().domains)


@pytest.mark.parametrize("phrase, ids", [
    ("music", [MUSIC]),                            # a word of the id
    ("musical intervals", [MUSIC]),                # the name
    ("coins", [COINS]),                            # a plural of an id word
    ("the chemistry bit", ["chemical_balancing"]),  # a lay term
    ("sudoku", ["latin_squares"]),                 # most of a lay term
    ("debits and credits", ["double_entry_accounting"]),  # a lay term holding "and"
    ("melody", [MUSIC]),                           # a catalog keyword
])
def test_a_phrase_resolves_to_its_catalog_domain(words, phrase, ids):
    assert words.resolve(phrase) == ids


def test_a_word_of_several_domains_is_ambiguous_and_a_stray_word_names_none(words):
    assert words.resolve("squares") == ["magic_squares", "latin_squares", "perfect_squares"]
    assert words.resolve("money") == []  # one word of a five-word lay term is not enough


def test_music_and_knitting_is_two_domains_not_a_split_sentence(words):
    assert read_domain_list("music and knitting", words).ids == [MUSIC, KNITTING]
    ids = read_domain_list("music_intervals,knitting_patterns,coin_change", words)
    assert ids.ok and ids.ids == [MUSIC, KNITTING, COINS]


def test_use_only_music_and_knitting_restricts_the_domains_and_fits_k(words):
    edits = parse_edits("use only music and knitting domains, more lazy-guy personas, n=12",
                        Parameters(), PERSONAS, words)
    assert edits.domains is not None and edits.domains.only == [MUSIC, KNITTING]
    assert edits.changes == {"n": 12, "persona_weights": {"lazy_busy": 3.0}, "k": 2}
    assert "n 40 → 12" in edits.applied
    assert "k 3 → 2 (only 2 domains to draw from)" in edits.applied
    assert any(line.startswith("domains: only musical intervals") for line in edits.applied)
    assert not edits.not_understood and not edits.problems


def test_a_domains_clause_takes_its_comma_list(words):
    edits = parse_edits("domains music_intervals,knitting_patterns,coin_change", Parameters(),
                        PERSONAS, words)
    assert edits.domains is not None and edits.domains.only == [MUSIC, KNITTING, COINS]
    assert edits.changes == {} and not edits.not_understood


def test_what_is_not_understood_or_not_applicable_is_said(words):
    edits = parse_edits("make the personas funnier, only squares, n=0", Parameters(),
                        PERSONAS, words)
    assert edits.not_understood == ["make the personas funnier"]
    assert any("'squares' could be magic squares" in p for p in edits.problems)
    assert any(p.startswith("n = 0 not applied") for p in edits.problems)
    assert edits.changes == {} and edits.domains is None


def test_a_domain_list_with_an_unknown_word_is_not_half_applied(words):
    edits = parse_edits("only music and foo", Parameters(), PERSONAS, words)
    assert edits.domains is None and "'foo' names no domain" in edits.problems[0]


def test_include_and_exclude_clauses(words):
    edits = parse_edits("include coin change and without chemistry", Parameters(), PERSONAS,
                        words)
    assert edits.domains == DomainSelection(include=[COINS], exclude=["chemical_balancing"])


def test_parameters_by_spaced_name_and_percent(words):
    edits = parse_edits("frame shift rate to 100%", Parameters(), PERSONAS, words)
    assert edits.changes == {"frame_shift_rate": 1.0}
    assert edits.applied == ["frame_shift_rate 0.5 → 1.0"]


def test_the_goal_says_which_domains(words):
    read = domains_in_goal("make R1 easier to prompt, mostly about music and knitting", words)
    assert read.clauses == [("include", [MUSIC, KNITTING])]
    assert domains_in_goal("only coins and calendars please", words).clauses == [
        ("only", [COINS, "calendar_arithmetic"])]
    assert domains_in_goal("puzzles without chemistry", words).clauses == [
        ("exclude", ["chemical_balancing"])]


def test_plain_prose_in_a_goal_names_no_domain(words):
    for goal in ("make R1 easier to prompt", "lazy prompts with a piece missing",
                 "make R1 easier to prompt with a piece missing, in the wrong frame"):
        read = domains_in_goal(goal, words)
        assert not read.clauses and not read.problems, goal
    unclear = domains_in_goal("make R1 easier to prompt about squares", words)
    assert not unclear.clauses and "could be magic squares" in unclear.problems[0]


def test_every_problem_includes_a_favoured_domain(tmp_path):
    settings = Settings(workspace=tmp_path / "ws", formal="smtlib2")
    prepared = prepare(settings, RunOptions(goal="easier prompts, mostly about music and "
                                                 "knitting", n=12, seed=3))
    assert prepared.notes[0].startswith("domains from the goal:")
    assert all({MUSIC, KNITTING} & set(r.domains) for r in prepared.records)
    assert {MUSIC, KNITTING} <= {d for r in prepared.records for d in r.domains}


def test_a_restriction_changes_the_sampled_pool(tmp_path):
    settings = Settings(workspace=tmp_path / "ws", formal="smtlib2")
    prepared = prepare(settings, RunOptions(goal="g", n=6, seed=3))
    only = DomainSelection(only=[MUSIC, KNITTING, COINS])
    records = prepared.sample(prepared.recipe, only)
    assert all(set(r.domains) <= {MUSIC, KNITTING, COINS} for r in records)
    assert prepared.sample(prepared.recipe)[0].domains == prepared.records[0].domains


def test_a_goal_restriction_below_k_lowers_k_unless_k_was_given(tmp_path):
    settings = Settings(workspace=tmp_path / "ws", formal="smtlib2")
    prepared = prepare(settings, RunOptions(goal="only music and knitting", n=4))
    assert prepared.recipe.parameters.k == 2 and prepared.pool == [MUSIC, KNITTING]
    assert any(note.startswith("k 3 → 2") for note in prepared.notes)
    with pytest.raises(Exception, match="domains are available"):
        prepare(settings, RunOptions(goal="only music and knitting", n=4, k=3))
