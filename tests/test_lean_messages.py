"""Parsing recorded `lean --json` output and REPL answers, and judging runs by policy.

The samples in tests/data/lean_recorded/ are built from the documented
formats (see its README); no Lean ran to make them.
"""

from __future__ import annotations

from pathlib import Path

from retrolean.tools.lean_check import WITNESS_POLICY, ConsistencyPolicy
from retrolean.tools.lean_check.messages import (
    MAX_MESSAGES,
    JsonAccumulator,
    LeanRun,
    is_sorry_warning,
    message_from_json,
    parse_lean_json,
    parse_repl_response,
)
from retrolean.tools.lean_check.policy import declarations, judge_run, sorry_declarations
from retrolean.tools.verdict import CheckMessage

RECORDED = Path(__file__).parent / "data" / "lean_recorded"


def cli_messages() -> list[CheckMessage]:
    return parse_lean_json((RECORDED / "cli_witness.jsonl").read_text(encoding="utf-8"))


def repl_answers() -> list[dict]:
    acc = JsonAccumulator()
    text = (RECORDED / "repl_session.out").read_text(encoding="utf-8")
    return [obj for line in text.splitlines(keepends=True) if (obj := acc.feed(line))]


def run_judge(text: str, run: LeanRun, policy: ConsistencyPolicy | None = None):
    return judge_run(text, run, policy or ConsistencyPolicy(), checker="lean 4.15.0 (cli)",
                 timeout_s=5, memory_mb=100)


def test_cli_lines_become_messages_with_positions():
    messages = cli_messages()
    assert [m.severity for m in messages] == [
        "warning", "error", "information", "error", "information"]
    assert (messages[1].line, messages[1].column) == (11, 33)
    assert messages[1].text == "unknown identifier 'rfl''"


def test_cli_caption_prefixes_the_text():
    assert cli_messages()[3].text.startswith("trace:\n(deterministic) timeout")


def test_cli_non_json_lines_are_kept_as_information():
    last = cli_messages()[-1]
    assert last.text.startswith("uncaught exception") and last.line is None


def test_sorry_warning_is_recognised_in_both_quotings():
    assert is_sorry_warning(cli_messages()[0])
    backticks = CheckMessage(severity="warning", text="declaration uses `sorry`")
    assert is_sorry_warning(backticks)
    assert not is_sorry_warning(CheckMessage(severity="error", text="declaration uses 'sorry'"))


def test_repl_stream_splits_into_answers():
    answers = repl_answers()
    assert len(answers) == 5
    assert answers[0] == {"env": 0}


def test_repl_answer_with_sorries_and_offset():
    answer = parse_repl_response(repl_answers()[1], line_offset=2)
    assert answer.env == 1
    assert answer.messages[0].line == 3 and is_sorry_warning(answer.messages[0])
    assert answer.sorries[0].line == 4 and answer.sorries[0].text == "sorry: ⊢ 2 + 2 = 4"


def test_repl_info_severity_becomes_information():
    answer = parse_repl_response(repl_answers()[2])
    assert [m.severity for m in answer.messages] == ["error", "information"]
    assert answer.messages[0].text.startswith("type mismatch\n  rfl")


def test_repl_error_answer():
    answer = parse_repl_response(repl_answers()[3])
    assert answer.error == "Unknown environment." and answer.env is None


def test_repl_sorry_without_position():
    answer = parse_repl_response(repl_answers()[4])
    assert answer.sorries[0].line is None and answer.env == 3


def test_accumulator_ignores_noise_between_answers():
    acc = JsonAccumulator()
    assert acc.feed("some banner\n") is None
    assert acc.feed('{"env":\n') is None
    assert acc.feed(" 4}\n") == {"env": 4}


def test_accumulator_drops_garbage_at_a_blank_line():
    acc = JsonAccumulator()
    assert acc.feed("{broken\n") is None
    assert acc.feed("\n") is None
    assert acc.feed('{"env": 1}\n') == {"env": 1}


def test_messages_are_capped_errors_first():
    lines = "\n".join('{"severity":"information","pos":{"line":1,"column":0},"data":"i"}'
                      for _ in range(MAX_MESSAGES + 10))
    lines += '\n{"severity":"error","pos":{"line":2,"column":0},"data":"boom"}'
    messages = parse_lean_json(lines)
    assert len(messages) == MAX_MESSAGES + 1
    assert messages[0].text == "boom" and "dropped" in messages[-1].text


def test_message_without_position():
    m = message_from_json({"severity": "error", "data": "x"})
    assert m.line is None and m.column is None


def test_declarations_are_found_with_their_lines():
    text = (RECORDED / "cli_witness.lean").read_text(encoding="utf-8")
    assert declarations(text) == [(3, "helper"), (6, "problem"), (8, "problem_consistent"),
                                  (11, "typo")]


def test_sorry_is_attributed_to_its_declaration():
    text = (RECORDED / "cli_witness.lean").read_text(encoding="utf-8")
    run = LeanRun(messages=[cli_messages()[0]], returncode=0)
    assert sorry_declarations(text, run) == ["helper"]


def test_recorded_errors_reject_with_the_first_error():
    text = (RECORDED / "cli_witness.lean").read_text(encoding="utf-8")
    verdict = run_judge(text, LeanRun(messages=cli_messages(), returncode=1))
    assert (verdict.ok, verdict.status) == (False, "error")
    assert verdict.reason == "line 11: unknown identifier 'rfl''"
    assert verdict.checker == "lean 4.15.0 (cli)"


def test_statement_sorry_is_allowed_by_the_witness_policy():
    text = (RECORDED / "cli_witness.lean").read_text(encoding="utf-8")
    verdict = run_judge(text, LeanRun(messages=[cli_messages()[0]], returncode=0),
                        WITNESS_POLICY)
    assert verdict.ok and verdict.sorry


def test_sorry_is_rejected_by_default():
    text = (RECORDED / "cli_witness.lean").read_text(encoding="utf-8")
    verdict = run_judge(text, LeanRun(messages=[cli_messages()[0]], returncode=0))
    assert not verdict.ok and verdict.reason == "`helper` uses sorry"


def test_witness_sorry_is_rejected_by_the_witness_policy():
    text = "lemma a : True := trivial\n\ntheorem problem_consistent : True := by\n  sorry\n"
    sorry = CheckMessage(severity="warning", text="declaration uses 'sorry'", line=3, column=8)
    verdict = run_judge(text, LeanRun(messages=[sorry], returncode=0), WITNESS_POLICY)
    assert not verdict.ok and "problem_consistent" in verdict.reason


def test_repl_sorries_count_even_without_the_warning():
    text = "theorem problem_consistent : True := by\n  sorry\n"
    sorry = CheckMessage(severity="warning", text="sorry: ⊢ True", line=2, column=2)
    verdict = run_judge(text, LeanRun(sorries=[sorry], returncode=0), WITNESS_POLICY)
    assert not verdict.ok and verdict.sorry


def test_missing_required_declaration_is_rejected():
    verdict = run_judge("theorem other : True := trivial\n", LeanRun(returncode=0),
                        WITNESS_POLICY)
    assert "does not declare `problem_consistent`" in verdict.reason


def test_timeout_and_memory_runs_have_their_own_reasons():
    assert run_judge("", LeanRun(timed_out=True)).status == "timeout"
    assert "out of memory (limit 100 MB)" in run_judge("", LeanRun(out_of_memory=True)).reason


def test_a_failed_exit_without_messages_is_rejected():
    verdict = run_judge("", LeanRun(returncode=134, detail="Stack overflow detected. Aborting."))
    assert verdict.reason == "Lean failed (exit code 134): Stack overflow detected. Aborting."
