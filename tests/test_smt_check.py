"""smt_check: Z3's verdicts, witnesses, errors and limits."""

from __future__ import annotations

from retrolean.tools.smt_check import smt_check


def test_sat_carries_a_witness():
    v = smt_check("(declare-const x Int)(assert (> x 2))(assert (< x 4))")
    assert v.ok and v.status == "sat" and v.witness == {"x": 3}
    assert v.checker.startswith("z3 ")


def test_unsat_is_a_failure_with_reason():
    v = smt_check("(declare-const x Int)(assert (> x 2))(assert (< x 2))")
    assert not v.ok and v.status == "unsat" and "inconsistent" in v.reason


def test_parse_error_has_position():
    v = smt_check("(declare-const x Int)\n(assert (> x y))")
    assert not v.ok and v.status == "error"
    assert v.messages[0].line == 2 and "unknown constant y" in v.messages[0].text


def test_timeout_is_reported_as_such():
    hard = ("(declare-const x Int)(declare-const y Int)(declare-const z Int)"
            "(assert (> x 2))(assert (> y 2))(assert (> z 2))"
            "(assert (= (+ (* x x x) (* y y y)) (* z z z)))")
    v = smt_check(hard, timeout_ms=100)
    assert not v.ok and v.status in ("timeout", "unknown")


def test_empty_and_assertion_free_text_are_errors():
    assert smt_check("").status == "error"
    assert smt_check("(declare-const x Int)").reason.startswith("no assertions")


def test_timing_is_not_serialized_into_records():
    assert "elapsed_ms" not in smt_check("(declare-const x Int)(assert (> x 2))").model_dump()
