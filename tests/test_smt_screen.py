"""The SMT-LIB screen: every bad input refused with a one-line reason, good inputs accepted.

Each file in tests/data/smt_bad/ holds one attack; its first line,
`; screen: FRAGMENT`, names a fragment the refusal reason must contain.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from retrolean.skills.formalize.template import render
from retrolean.skills.problems.registry import gadget_domains, gadget_for
from retrolean.skills.problems.spec import ProblemSpec
from retrolean.tools.smt_check import screen
from retrolean.tools.smt_check.reader import read_script

DATA = Path(__file__).parent / "data"
BAD = sorted((DATA / "smt_bad").glob("*.smt2"))
GOOD = sorted((DATA / "smt_good").glob("*.smt2"))
SAT = "(declare-const x Int)\n(assert (> x 2))\n(check-sat)\n"


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def test_the_bad_corpus_is_large():
    assert len(BAD) >= 60


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_input_is_refused_with_a_one_line_reason(path):
    text = read(path)
    expected = text.split("\n", 1)[0].removeprefix("; screen: ")
    result = screen(text)
    assert not result.ok and not result.z3_text
    assert expected in result.reason, result.problems
    assert "\n" not in result.reason and len(result.reason) < 200


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_input_is_accepted(path):
    result = screen(read(path))
    assert result.ok, result.problems


@pytest.mark.parametrize("domain", gadget_domains())
def test_the_template_rendering_is_accepted(domain):
    for seed in range(3):
        params = {domain: gadget_for(domain).sample(random.Random(seed))}
        result = screen(render(ProblemSpec(domains=[domain], params=params), "smtlib2"))
        assert result.ok, result.problems


def test_commands_in_comments_and_strings_do_not_count():
    text = '; (exit)\n(set-info :notes "(reset) ""(echo)""")\n' + SAT
    assert screen(text).ok


def test_a_quoted_symbol_names_the_command_it_spells():
    assert "`exit` stops reading" in screen(SAT + "(|exit|)").reason


def test_a_quote_inside_a_comment_does_not_open_a_string():
    assert not screen('; "\n(exit)\n; "\n' + SAT).ok


def test_a_bar_inside_a_string_does_not_open_a_quoted_symbol():
    assert not screen('(set-info :notes "|")\n(exit)\n(set-info :notes "|")\n' + SAT).ok


def test_z3_gets_only_declarations_definitions_and_assertions():
    text = ('(set-option :produce-models true) ; note\n(set-logic QF_LIA)\n'
            '(declare-const x Int)\n(assert (> x 2))\n(check-sat)\n(get-model)\n')
    z3_text = screen(text).z3_text
    assert "(declare-const x Int)" in z3_text and "(assert (> x 2))" in z3_text
    for gone in ("set-option", "set-logic", "note", "check-sat", "get-model"):
        assert gone not in z3_text


def test_z3_text_keeps_lines_and_columns():
    text = '(set-info :a "x\ny")  (declare-const x Int)\n; c\n  (assert (> x y))\n(check-sat)'
    z3_text = screen(text).z3_text
    assert len(z3_text) == len(text)
    assert z3_text.index("(assert") == text.index("(assert")
    assert z3_text.count("\n") == text.count("\n")


def test_the_first_problem_is_the_reason_and_all_are_listed_in_line_order():
    result = screen("(declare-const x Int)\n(echo \"a\")\n(push 1)\n(assert (> x 2))\n(check-sat)")
    assert [p.split(":")[0] for p in result.problems] == ["line 2", "line 3"]
    assert result.reason == result.problems[0]


def test_over_long_text_is_refused():
    assert "longer than" in screen(SAT + "; x\n" * 10, max_chars=20).reason
    assert "longer than" in screen(";" * 200_001).reason


def test_depth_limit_is_configurable():
    nested = "(declare-const x Int)(assert " + "(not " * 10 + "(> x 2)" + ")" * 10 + ")(check-sat)"
    assert screen(nested).ok
    assert "nested deeper than 5" in screen(nested, max_depth=5).reason


def test_a_very_deep_text_is_refused_without_recursion():
    deep = "(assert " + "(not " * 200_000 + "true" + ")" * 200_000 + ")(check-sat)"
    assert "nested deeper than" in screen(deep, max_chars=10**7).reason


def test_reader_reports_where_a_reading_stops():
    assert read_script("(assert (> x 0)))\n").problems == [(16, "`)` closes nothing")]
    script = read_script('\n\n(set-info :a "b)')
    assert script.problems == [(15, "string literal is never closed")]
    assert script.line_of(15) == 3


def test_doubled_quotes_stay_inside_the_string():
    [command] = read_script('(set-info :notes "a ""(exit)"" b")').commands
    assert command.head == "set-info" and command.args[1].text == 'a "(exit)" b'


def test_allowed_options_take_only_true_or_false():
    assert screen("(set-option :produce-models true)\n" + SAT).ok
    assert not screen("(set-option :produce-models 1)\n" + SAT).ok
