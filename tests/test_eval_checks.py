"""`eval checks` and `verify`: the checks measured on corruptions, and run on given pairs."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from retrolean.agent.cli import main
from retrolean.evals.corruptions import (
    Sentence,
    alter_number,
    drop_domain,
    flip_relation,
    swap_figures,
)
from retrolean.tools.save_set import load_set


def cli(*argv: str) -> int:
    with pytest.raises(SystemExit) as e:
        main(list(argv))
    return int(e.value.code or 0)


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> Path:
    workspace = tmp_path_factory.mktemp("checks") / "ws"
    assert cli("run", "g", "--n", "12", "--seed", "4", "--formal", "smtlib2",
               "--workspace", str(workspace)) == 0
    assert cli("eval", "checks", "latest", "--per-record", "2",
               "--workspace", str(workspace)) == 0
    (run,) = (workspace / "runs").iterdir()
    return run


def test_checks_catch_every_problem_changing_corruption_and_reject_no_untouched(checked):
    data = json.loads((checked / "eval" / "checks.json").read_text())
    totals = data["totals"]
    assert totals["roundtrip"]["changed"] > 20 and totals["roundtrip"]["catch_rate"] == 1.0
    assert totals["roundtrip"]["false_reject_rate"] == 0.0
    assert totals["missing"]["catch_rate"] == 1.0 and totals["missing"]["false_reject_rate"] == 0
    kinds = {r["kind"] for r in data["rows"] if r["check"] == "roundtrip"}
    assert kinds == {"alter_number", "swap_figures", "flip_relation", "drop_sentence",
                     "drop_domain", "untouched"}
    assert data["examples"] and all(e["counterexample"] for e in data["examples"])


def test_ground_truth_finds_edits_that_leave_the_problem_as_it_was(checked):
    rows = json.loads((checked / "eval" / "checks.json").read_text())["rows"]
    dropped = next(r for r in rows if r["kind"] == "drop_sentence")
    assert dropped["unchanged"] >= 1 and dropped["unchanged_rejected"] == 0  # framing dropped


def test_corruptions_edit_what_they_say():
    rng = random.Random(0)
    s = [Sentence("Choose 3 primes, none larger than 31.", "primes"), Sentence("Go.", "@framing")]
    assert alter_number(s, rng)[0].text != s[0].text and alter_number(s, rng)[1] == s[1]
    assert swap_figures(s, rng)[0].text == "Choose 31 primes, none larger than 3."
    assert "smaller" in flip_relation(s, rng)[0].text
    assert drop_domain(s, rng) == [s[1]]


def test_verify_writes_one_verdict_per_pair_and_exits_by_them(checked, tmp_path, capsys):
    record = load_set(checked / "sets" / "roundtrip.jsonl")[0]
    good = {"id": "a", "formal": record["formal"]["text"], "language": "smtlib2",
            "english": record["english"]["text"]}
    bad = {**good, "id": "b", "english": re.sub(r"\d+", lambda m: str(int(m.group(0)) + 1),
                                                good["english"], count=1)}
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps(good) + "\n")
    assert cli("verify", str(pairs), "--out", str(tmp_path / "v.jsonl")) == 0
    (verdict,) = [json.loads(x) for x in (tmp_path / "v.jsonl").read_text().splitlines()]
    assert verdict == {"id": "a", "ok": True, "method": "equivalence", "similarity": 1.0,
                       "counterexample": None, "reason": verdict["reason"]}
    pairs.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    capsys.readouterr()
    assert cli("verify", str(pairs)) == 1
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [v["ok"] for v in lines] == [True, False] and lines[1]["reason"]


@pytest.mark.parametrize("line, fragment", [
    ("not json", ":1: not JSON"),
    ('{"id": "a", "formal": "x", "language": "python", "english": "e"}', ":1: language"),
    ('{"id": "a", "formal": "x"}', ":1: language: Field required"),
])
def test_verify_names_the_bad_line(tmp_path, capsys, line, fragment):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(line + "\n")
    assert cli("verify", str(pairs)) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
