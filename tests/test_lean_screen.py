"""The Lean screen: every bad input refused with a one-line reason, good inputs accepted.

Each file in tests/data/lean_bad/ holds one attack; its first line,
`-- screen: FRAGMENT`, names a fragment the refusal reason must contain.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from retrolean.skills.problems.registry import gadget_domains, gadget_for
from retrolean.skills.problems.render_lean import render_lean
from retrolean.skills.problems.spec import ProblemSpec, compile_spec
from retrolean.tools.lean_check import ScreenLimits, screen
from retrolean.tools.lean_check.lexer import READINGS, Reading, code_view, code_views

DATA = Path(__file__).parent / "data"
BAD = sorted((DATA / "lean_bad").glob("*.lean"))
GOOD = sorted((DATA / "lean_good").glob("*.lean"))


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_bad_corpus_is_large():
    assert len(BAD) >= 25


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_input_is_refused_with_a_one_line_reason(path):
    text = read(path)
    expected = text.split("\n", 1)[0].removeprefix("-- screen: ")
    result = screen(text)
    assert not result.ok
    assert expected in result.reason, result.problems
    assert "\n" not in result.reason and len(result.reason) < 200


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_input_is_accepted(path):
    result = screen(read(path))
    assert result.ok, result.problems


def _template_lean(domains: list[str], seed: int) -> str:
    rng = random.Random(seed)
    params = {d: gadget_for(d).sample(rng) for d in domains}
    problem = compile_spec(ProblemSpec(domains=domains, params=params))
    return render_lean(problem, f"{' + '.join(domains)} #{seed}",
                       {v.name: v.lo for v in problem.variables})


@pytest.mark.parametrize("domain", gadget_domains())
def test_the_template_rendering_is_accepted(domain):
    for seed in range(3):
        result = screen(_template_lean([domain], seed))
        assert result.ok, result.problems


def test_tokens_in_comments_and_strings_do_not_count():
    text = '-- #eval IO.println 1\n/- run_cmd /- unsafe -/ -/\ndef s := "#exit native_decide"\n'
    assert screen(text).ok


def test_a_quote_inside_a_comment_does_not_open_a_string():
    assert not screen('/- "-/ #eval 1 -- " -/').ok


def test_a_char_literal_quote_does_not_open_a_string():
    assert not screen("def c := '\"' #eval 1 -- \"").ok


def test_an_escaped_backslash_ends_the_string():
    assert not screen('def s := "\\\\" #eval 1 --"').ok


def test_interpolated_braces_are_code():
    assert not screen('def s := s!"{IO.println 1}"').ok
    assert screen('def s := s!"{1 + 1}"').ok


def test_guillemets_name_what_they_escape():
    assert "IO" in screen("def f := «IO».println").reason


def test_block_comments_nest_like_lean():
    view = code_view("/- a /- b -/ c -/ d", Reading())
    assert "c" not in view and "d" in view


def test_code_views_keep_line_numbers():
    text = '/- one\ntwo -/\n"three\nfour"\n#eval 1'
    for view in code_views(text):
        assert view.count("\n") == text.count("\n")
    assert screen(text).reason.startswith("line 5:")


def test_every_reading_is_taken():
    assert len(READINGS) == 4 and len(set(READINGS)) == 4


def test_print_axioms_is_allowed_but_other_prints_are_not():
    assert screen("#print axioms foo").ok
    assert not screen("#print foo").ok


def test_bounded_options_pass_and_unbounded_ones_do_not():
    assert screen("set_option maxHeartbeats 400000 in\ntheorem t : True := trivial").ok
    assert screen("set_option maxRecDepth 2000\nset_option pp.all true").ok
    assert not screen("set_option synthInstance.maxHeartbeats 0").ok
    assert not screen("set_option maxHeartbeats 2000000").ok


def test_limits_are_configurable():
    limits = ScreenLimits(allowed_imports=["Init", "Std", "Mathlib", "Aesop"], max_rec_depth=50)
    assert screen("import Aesop", limits).ok
    assert not screen("import Aesop").ok
    assert not screen("set_option maxRecDepth 100", limits).ok


def test_import_allow_list_matches_module_roots_only():
    assert screen("import Mathlib.Tactic.Ring\nimport Std.Data.HashMap").ok
    assert not screen("import MathlibEvil").ok


def test_over_long_text_is_refused():
    assert "longer than" in screen("-- x\n" * 10, ScreenLimits(max_chars=20)).reason


def test_ordinary_unicode_mathematics_passes():
    assert screen("theorem t (x₁ : ℝ) (h : ∀ ε > 0, ε ≤ x₁) : ¬ (x₁ < 0) := sorry").ok


def test_every_problem_is_listed_in_line_order():
    result = screen("#eval 1\ndef x : IO Unit := pure ()\n")
    assert [p.split(":")[0] for p in result.problems] == ["line 1", "line 2"]
