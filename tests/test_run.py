"""The whole recipe end to end on the template backend, through the CLI as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest

from retrolean.agent.cli import main
from retrolean.tools.save_set import load_set

STAGES = ["formalize", "presence", "caption", "roundtrip", "personas", "missing", "fill_in",
          "conversations"]


def cli(*argv: str) -> int:
    with pytest.raises(SystemExit) as e:
        main(list(argv))
    return int(e.value.code or 0)


def run_dir(workspace: Path) -> Path:
    (run,) = (workspace / "runs").iterdir()
    return run


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    workspace = tmp_path_factory.mktemp("run") / "ws"
    assert cli("run", "make R1 easier to prompt", "--n", "16", "--seed", "7",
               "--workspace", str(workspace)) == 0
    return run_dir(workspace)


def test_run_writes_plan_trace_sets_and_report(finished_run):
    plan = json.loads((finished_run / "plan.json").read_text())
    assert plan["source"] == "recipe" and [s["name"] for s in plan["stages"]] == STAGES
    for stage in STAGES:
        assert load_set(finished_run / "sets" / f"{stage}.jsonl"), f"{stage} set is empty"
    report = (finished_run / "report.md").read_text()
    assert "| formalize | 16 |" in report and "roundtrip: n =" in report


def test_every_final_record_carries_its_checks(finished_run):
    for r in load_set(finished_run / "sets" / "conversations.jsonl"):
        assert r["formal"]["check"]["ok"] and r["formal"]["check"]["witness"]
        assert all(p["touchstones"] for p in r["presence"].values())
        assert set(r["presence"]) == set(r["domains"])
        interaction = r["formal"]["interaction"]
        assert interaction["connected"] and interaction["non_redundant"] == interaction["links"]
        assert interaction["links"] == len(r["domains"]) - 1 and not interaction["redundant"]
        rt = r["english"]["roundtrip"]
        assert rt["check"]["ok"] and rt["similarity"] is not None
        assert (rt["method"], rt["outcome"]) == ("equivalence", "pass")
        assert rt["proofs"][0]["outcome"] == "holds" and rt["counterexample"] is None
        assert all(p["method"] == "touchstones" for p in r["presence"].values())
        m = r["missing"]
        assert m["dropped"] in r["domains"] and m["touchstones_absent"]
        assert (m["method"], m["outcome"]) == ("touchstones+z3", "pass")
        assert m["proof"]["outcome"] == "holds" and m["proof"]["counterexample"]
        assert m["roundtrip"]["check"]["ok"] and m["roundtrip"]["similarity"] is not None
        assert r["fill_in"]["domain"] == m["dropped"]
        assert r["conversations"] and all(c["messages"] for c in r["conversations"])
        assert r["provenance"]["generator"] == "template"


def test_rejects_keep_their_reasons(finished_run):
    rejects = load_set(finished_run / "sets" / "formalize.rejects.jsonl")
    assert rejects, "a 16-problem run should meet at least one inconsistent combination"
    for r in rejects:
        assert r["reject"]["stage"] == "formalize" and r["reject"]["reason"]
    assert any(r["formal"]["check"]["status"] == "unsat" for r in rejects)


def test_trace_states_its_version_and_covers_every_stage(finished_run):
    lines = [json.loads(x) for x in (finished_run / "trace.jsonl").read_text().splitlines()]
    assert lines[0]["format"] == "retrolean-trace" and lines[0]["version"] == 2
    blocks = lines[1:]
    assert [b["index"] for b in blocks] == list(range(len(blocks)))
    assert blocks[0]["type"] == "orientation" and blocks[-1]["type"] == "outcome"
    for stage in STAGES:
        kinds = {b["type"] for b in blocks if b.get("stage") == stage}
        assert {"action", "expectation", "observation", "evaluation"} <= kinds


def test_each_stage_is_a_commit(finished_run):
    repo = git.Repo(finished_run.parents[1])
    messages = [c.message.strip() for c in repo.iter_commits()]
    for stage in STAGES:
        assert any(f": {stage} (" in m for m in messages), stage
    assert messages[0].endswith("finished (report)") and not repo.is_dirty(untracked_files=True)


def test_same_seed_same_records(finished_run, tmp_path):
    workspace = tmp_path / "again"
    assert cli("run", "make R1 easier to prompt", "--n", "16", "--seed", "7",
               "--workspace", str(workspace)) == 0
    again = run_dir(workspace)
    for path in sorted((finished_run / "sets").glob("*.jsonl")):
        assert (again / "sets" / path.name).read_text() == path.read_text(), path.name


def test_another_seed_gives_other_records(finished_run, tmp_path):
    workspace = tmp_path / "other"
    assert cli("run", "make R1 easier to prompt", "--n", "16", "--seed", "8",
               "--workspace", str(workspace)) == 0
    other = run_dir(workspace)
    assert (other / "sets" / "formalize.jsonl").read_text() != \
        (finished_run / "sets" / "formalize.jsonl").read_text()


@pytest.mark.parametrize("argv, fragment", [
    (["--n", "0"], "--n must be at least 1"),
    (["--n", "-2"], "--n must be at least 1"),
    (["--recipe", "no-such-recipe"], "unknown recipe"),
    (["--domains", "primes,no_such_domain"], "unknown domain 'no_such_domain'"),
    (["--k", "500"], "domains are available"),
    (["--formal", "coq"], "setting formal"),
    (["--n", "many"], "Invalid value for '--n'"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(argv, fragment, workspace, capsys):
    assert cli("run", "goal", "--workspace", str(workspace), *argv) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and "\n" not in err and "Traceback" not in err
    assert not workspace.exists()


def test_workspace_that_is_a_file(tmp_path, capsys):
    path = tmp_path / "file"
    path.write_text("not a workspace")
    assert cli("run", "goal", "--workspace", str(path)) == 2
    assert "is a file" in capsys.readouterr().err
    assert path.read_text() == "not a workspace"


def test_corrupt_catalog(tmp_path, workspace, capsys):
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "personas.yaml").write_text("{{{ not yaml")
    assert cli("run", "goal", "--workspace", str(workspace), "--catalog", str(catalog)) == 2
    err = capsys.readouterr().err
    assert "personas.yaml" in err and err.count("\n") == 1
    assert not workspace.exists()


def test_domains_list_and_show(capsys):
    assert cli("domains", "show", "primes") == 0
    assert "need:" in capsys.readouterr().out
    assert cli("domains", "show", "nope") == 2
    assert cli("domains") == 0


def test_lean4_runs_check_with_lean(tmp_path, workspace, monkeypatch):
    """With a `lean` (here a stand-in speaking `lean --json`), --formal lean4 checks Lean text."""
    from lean_standins import events, standin_config

    config = standin_config(tmp_path)
    monkeypatch.setenv("RETROLEAN_LEAN", config.executable)
    assert cli("run", "goal", "--n", "4", "--seed", "3", "--formal", "lean4",
               "--workspace", str(workspace)) == 0
    run = run_dir(workspace)
    records = load_set(run / "sets" / "formalize.jsonl")
    assert records and all(r["formal"]["language"] == "lean4" for r in records)
    for r in records:  # Lean checks the text; Z3 checks its SMT-LIB rendering for the proofs
        assert "theorem problem_consistent" in r["formal"]["text"]
        assert set(r["formal"]["checks"]) == {"lean_check", "smt_check"}
        assert "lean 4.99.0-standin" in r["formal"]["check"]["checker"]
        assert r["formal"]["check"]["witness"] and r["formal"]["interaction"]["connected"]
    assert events(tmp_path, "start"), "the stand-in lean was never started"
    assert json.loads((run / "plan.json").read_text())["language"] == "lean4"


def test_auto_with_a_model_picks_smtlib_even_where_lean_runs(tmp_path):
    """Only Z3 decides that domains interact, and a model's Lean text gives it nothing to
    read: with a model, auto takes SMT-LIB 2 and says why; the template still takes Lean."""
    from lean_standins import standin_config

    from retrolean.agent.pipeline import resolve_language
    from retrolean.agent.settings import Settings

    lean = standin_config(tmp_path).executable
    with_model = Settings(workspace=tmp_path / "ws", lean=lean, model="r1",
                          base_url="http://127.0.0.1:9/v1")
    language, why = resolve_language("auto", with_model)
    assert language == "smtlib2" and "with a model" in why
    template = Settings(workspace=tmp_path / "ws", lean=lean)
    assert resolve_language("auto", template)[0] == "lean4"
