"""Parsing R1-style output: reasoning split, fenced code, JSON in prose, refusals, truncation."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from retrolean.tools.generate.parsing import (
    ParseError,
    canonical_language,
    extract_code,
    extract_json,
    find_json,
    is_refusal,
    parse_output,
    split_reasoning,
)


class Caption(BaseModel):
    text: str
    domains: list[str]


# --- reasoning ---------------------------------------------------------------------------


def test_inline_think_block_is_split_from_the_answer():
    split = split_reasoning("<think>\nTry 2 + 2.\n</think>\n\nIt is 4.")
    assert (split.reasoning, split.answer, split.truncated) == ("Try 2 + 2.", "It is 4.", False)


def test_closing_tag_alone_means_the_template_opened_the_think_block():
    split = split_reasoning("Try 2 + 2.\n</think>\n\nIt is 4.")
    assert (split.reasoning, split.answer) == ("Try 2 + 2.", "It is 4.")


def test_unclosed_think_block_is_truncated_reasoning_with_no_answer():
    split = split_reasoning("<think>\nLet me consider every case, first")
    assert split.truncated and split.answer == ""
    assert split.reasoning.startswith("Let me consider")


def test_separate_reasoning_content_is_kept_as_reasoning():
    split = split_reasoning("It is 4.", reasoning_content="Try 2 + 2.")
    assert (split.reasoning, split.answer) == ("Try 2 + 2.", "It is 4.")


def test_output_without_reasoning_is_all_answer():
    split = split_reasoning("It is 4.")
    assert (split.reasoning, split.answer) == ("", "It is 4.")


# --- code --------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["lean", "lean4", "Lean4"])
def test_lean_fences_accept_both_labels(label):
    block = extract_code(f"Here:\n```{label}\ntheorem t : True := trivial\n```\n", "lean4")
    assert block.code == "theorem t : True := trivial" and block.language == "lean4"


@pytest.mark.parametrize("label", ["smt2", "smtlib", "smtlib2", "smt-lib"])
def test_smt_fences_accept_their_labels(label):
    block = extract_code(f"```{label}\n(check-sat)\n```", "smtlib2")
    assert block.code == "(check-sat)"


def test_last_complete_block_of_the_language_wins():
    answer = ("First try:\n```smt2\n(assert false)\n```\nBetter:\n```smt2\n(assert true)\n```\n"
              "And in Lean:\n```lean\nexample : True := trivial\n```")
    assert extract_code(answer, "smtlib2").code == "(assert true)"


def test_unlabeled_fence_is_the_fallback():
    assert extract_code("```\n(check-sat)\n```", "smtlib2").code == "(check-sat)"


def test_block_of_another_language_is_not_taken():
    with pytest.raises(ParseError) as error:
        extract_code("```python\nprint(1)\n```", "lean4")
    assert error.value.kind == "no_code" and "```lean " in error.value.feedback


def test_fence_that_never_closes_is_truncated():
    with pytest.raises(ParseError) as error:
        extract_code("Here it is:\n```lean\ntheorem t : True :=", "lean4")
    assert error.value.kind == "truncated" and "line 2" in error.value.feedback


def test_complete_block_survives_a_later_unclosed_one_with_a_note():
    block = extract_code("```smt2\n(check-sat)\n```\nAlso:\n```smt2\n(assert", "smtlib2")
    assert block.code == "(check-sat)" and block.notes


def test_tilde_fences_and_longer_fences_work():
    assert extract_code("~~~lean\na\n~~~", "lean").code == "a"
    assert extract_code("````smt2\n```\n(x)\n````", "smt2").code == "```\n(x)"


def test_language_names_are_canonical():
    assert canonical_language("smt2") == "smtlib2" and canonical_language("Lean") == "lean4"


# --- JSON --------------------------------------------------------------------------------


def test_json_in_prose_is_found_and_validated():
    caption = extract_json('Sure! {"text": "colour a graph", "domains": ["graphs"]} Done.',
                           Caption)
    assert caption == Caption(text="colour a graph", domains=["graphs"])


def test_json_in_a_fence_is_found():
    answer = 'Result:\n```json\n{"text": "t", "domains": []}\n```'
    assert extract_json(answer, Caption).text == "t"


def test_first_candidate_that_validates_wins_over_earlier_ones():
    answer = 'Given {"n": 3} and [1, 2], the answer is {"text": "x", "domains": ["a"]}.'
    assert extract_json(answer, Caption).domains == ["a"]


def test_braces_inside_strings_do_not_break_the_match():
    answer = 'Here: {"text": "set {1, 2} and }", "domains": ["sets"]} ok'
    assert extract_json(answer, Caption).text == "set {1, 2} and }"


def test_json_with_the_wrong_shape_names_the_missing_field():
    with pytest.raises(ParseError) as error:
        extract_json('{"text": "x"}', Caption)
    assert error.value.kind == "schema" and "domains" in error.value.feedback


def test_malformed_json_reports_where_it_breaks():
    with pytest.raises(ParseError) as error:
        extract_json('Here: {"text": "x", "domains": ["a",]}', Caption)
    assert error.value.kind == "invalid_json" and "line 1" in error.value.feedback


def test_cut_off_json_is_truncated():
    with pytest.raises(ParseError) as error:
        find_json('Answer: {"text": "a long cap')
    assert error.value.kind == "truncated"


def test_no_json_at_all():
    with pytest.raises(ParseError) as error:
        find_json("I think the answer is seven.")
    assert error.value.kind == "no_json"


def test_top_level_array_is_found():
    assert find_json("values: [1, 2, 3].") == [1, 2, 3]


# --- whole outputs -----------------------------------------------------------------------


def test_parse_output_returns_reasoning_and_code():
    parsed = parse_output("<think>easy</think>\n```lean\ntheorem t : True := trivial\n```",
                          language="lean4")
    assert parsed.reasoning == "easy" and parsed.code is not None
    assert parsed.code.code == "theorem t : True := trivial"


def test_parse_output_validates_json_against_the_schema():
    parsed = parse_output('<think>hm</think>{"text": "t", "domains": ["d"]}', schema=Caption)
    assert isinstance(parsed.data, Caption) and parsed.data.domains == ["d"]


def test_refusal_is_its_own_kind():
    with pytest.raises(ParseError) as error:
        parse_output("<think>no</think>I'm sorry, but I can't help with that.", language="lean4")
    assert error.value.kind == "refusal"


def test_apology_followed_by_the_payload_is_not_a_refusal():
    parsed = parse_output("I'm sorry for the error; corrected:\n```smt2\n(check-sat)\n```",
                          language="smtlib2")
    assert parsed.code is not None and parsed.code.code == "(check-sat)"


def test_plain_text_refusal_is_caught_without_a_requested_payload():
    with pytest.raises(ParseError) as error:
        parse_output("I cannot assist with this request.")
    assert error.value.kind == "refusal"


def test_empty_answer_is_empty():
    with pytest.raises(ParseError) as error:
        parse_output("   ")
    assert error.value.kind == "empty"


def test_answer_cut_off_inside_thinking_is_truncated():
    with pytest.raises(ParseError) as error:
        parse_output("<think>\nfirst, consider", language="lean4", finish_reason="length")
    assert error.value.kind == "truncated"


def test_missing_payload_with_finish_reason_length_is_truncated():
    with pytest.raises(ParseError) as error:
        parse_output("<think>ok</think>The problem is about", schema=Caption,
                     finish_reason="length")
    assert error.value.kind == "truncated"


# --- what real servers send (issue 13) ----------------------------------------------------

DRAFT_THEN_FINAL = ("Let me draft:\n```smt2\n(assert false)\n```\nBetter, the final one:\n"
                    "```smt2\n(declare-const x Int)\n(assert (> x 1))\n(check-sat)\n```")


@pytest.mark.parametrize("field", ["reasoning_content", "content_null"])
def test_an_empty_answer_takes_the_payload_from_the_end_of_the_reasoning(field):
    """vLLM's deepseek_r1 parser puts an output without </think> in reasoning_content whole;
    DeepSeek at times sends reasoning_content with an empty content."""
    if field == "reasoning_content":
        parsed = parse_output("", reasoning_content=DRAFT_THEN_FINAL, language="smtlib2",
                              finish_reason="stop")
    else:
        parsed = parse_output(None, reasoning_content=DRAFT_THEN_FINAL,  # type: ignore[arg-type]
                              language="smtlib2")
    assert parsed.recovered and parsed.code is not None
    assert parsed.code.code.startswith("(declare-const x Int)")
    assert "taken from the reasoning" in parsed.code.notes[0]


def test_json_recovered_from_reasoning_is_the_last_that_validates():
    reasoning = ('Maybe {"text": "draft", "domains": ["a"]}. No, finally: '
                 '{"text": "final", "domains": ["b"]}')
    parsed = parse_output("", reasoning_content=reasoning, schema=Caption)
    assert parsed.recovered and parsed.data == Caption(text="final", domains=["b"])


def test_an_empty_answer_with_nothing_in_the_reasoning_is_empty_not_truncated():
    with pytest.raises(ParseError) as error:
        parse_output("", reasoning_content="I thought about it at length.", language="lean4")
    assert error.value.kind == "empty" and "final answer" in error.value.feedback


def test_reasoning_cut_off_by_max_tokens_is_not_mined_for_a_payload():
    with pytest.raises(ParseError) as error:
        parse_output("", reasoning_content=DRAFT_THEN_FINAL, language="smtlib2",
                     finish_reason="length")
    assert error.value.kind == "truncated"


@pytest.mark.parametrize("label", ["lisp", "scheme", "sexp", "z3", "SMT2", "smtlibv2"])
def test_lisp_like_fences_hold_smt_lib(label):
    block = extract_code(f"```{label}\n; the problem\n(declare-const x Int)\n```", "smtlib2")
    assert block.code.endswith("(declare-const x Int)")


def test_a_z3_fence_holding_python_is_not_smt_lib():
    with pytest.raises(ParseError) as error:
        extract_code("```z3\nfrom z3 import *\nx = Int('x')\n```", "smtlib2")
    assert error.value.kind == "no_code"


def test_lisp_fences_are_not_lean():
    with pytest.raises(ParseError):
        extract_code("```lisp\n(theorem t)\n```", "lean4")


def test_a_trailing_get_value_block_is_not_taken_for_the_script():
    answer = ("```smt2\n(declare-const x Int)\n(assert (= x 2))\n(check-sat)\n```\n"
              "To read the witness:\n```smt2\n(get-value (x))\n```")
    assert extract_code(answer, "smtlib2").code.startswith("(declare-const x Int)")


def test_a_lone_fragment_is_still_taken_so_the_checker_can_say_what_is_wrong():
    assert extract_code("```smt2\n(get-value (x))\n```", "smtlib2").code == "(get-value (x))"


def test_a_raw_newline_inside_a_json_string_is_read():
    answer = 'Here:\n```json\n{"text": "line one\nline two", "domains": ["a"]}\n```'
    assert extract_json(answer, Caption).text == "line one\nline two"


@pytest.mark.parametrize(("language", "fence"), [("smtlib2", "```smt2"), ("lean4", "```lean")])
def test_feedback_names_the_fence_the_prompts_show(language, fence):
    with pytest.raises(ParseError) as error:
        extract_code("no code here", language)
    assert f"{fence} " in error.value.feedback and "```smtlib2" not in error.value.feedback


def test_refusal_detector():
    assert is_refusal("Sorry, but I can't do that.")
    assert not is_refusal("The colouring uses three colours.")


def test_a_crlf_answer_leaves_no_carriage_return_after_the_code():
    answer = "Here:\r\n```smt2\r\n(declare-const x Int)\r\n(check-sat)\r\n```\r\n"
    code = extract_code(answer, "smtlib2").code
    assert code == "(declare-const x Int)\r\n(check-sat)"  # the screen refuses a lone CR
