"""Every setting the README's table documents reads from the environment; a bad value is one
line and exit 2. The table is read from README.md, so a variable documented there and not
read (or read and not documented) fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrolean.agent.cli import main
from retrolean.agent.settings import Settings, load_settings
from retrolean.memory.errors import UserError

README = Path(__file__).resolve().parents[1] / "README.md"

# variable -> (a good value, the setting it becomes, a value the settings refuse or None when
# any text is accepted and the bad case shows up on use, below)
VALUES: dict[str, tuple[str, object, str | None]] = {
    "RETROLEAN_WORKSPACE": ("elsewhere", Path("elsewhere"), None),
    "RETROLEAN_RECIPE": ("my-recipe", "my-recipe", None),
    "RETROLEAN_CATALOG": ("cat", Path("cat"), None),
    "RETROLEAN_FORMAL": ("smtlib2", "smtlib2", "coq"),
    "RETROLEAN_N": ("7", 7, "many"),
    "RETROLEAN_K": ("2", 2, "two"),
    "RETROLEAN_SEED": ("9", 9, "x"),
    "RETROLEAN_DOMAINS": ("primes,nim_games", "primes,nim_games", None),
    "RETROLEAN_EMBEDDING_MODEL": ("m", "m", None),
    "RETROLEAN_MODEL": ("r1", "r1", None),
    "OPENAI_MODEL": ("r1", "r1", None),
    "RETROLEAN_BASE_URL": ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1", None),
    "OPENAI_BASE_URL": ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1", None),
    "RETROLEAN_API_KEY": ("sk-x", "sk-x", None),
    "OPENAI_API_KEY": ("sk-x", "sk-x", None),
    "RETROLEAN_CONCURRENCY": ("4", 4, "0"),
    "RETROLEAN_MODEL_TIMEOUT_S": ("12.5", 12.5, "-1"),
    "RETROLEAN_USE_CACHE": ("false", False, "perhaps"),
    "RETROLEAN_Z3_TIMEOUT_MS": ("100", 100, "0"),
    "RETROLEAN_LEAN": ("/opt/lean", "/opt/lean", None),
    "RETROLEAN_LEAN_PROJECT": ("proj", Path("proj"), None),
    "RETROLEAN_LEAN_TIMEOUT_S": ("5", 5.0, "0"),
    "RETROLEAN_LEAN_MEMORY_MB": ("512", 512, "-5"),
    "RETROLEAN_LEAN_TACTICS": ('["omega", "simp"]', ["omega", "simp"], "omega"),
    "RETROLEAN_BUDGET_SECONDS": ("30", 30.0, "0"),
    "RETROLEAN_BUDGET_MODEL_CALLS": ("10", 10, "0"),
    "RETROLEAN_BUDGET_TOKENS": ("1000", 1000, "none"),
    "RETROLEAN_MAX_STAGE_ATTEMPTS": ("3", 3, "0"),
}


def documented() -> dict[str, str]:
    """Environment variable -> the setting's row name, from the README's settings table."""
    out = {}
    for line in README.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4:
            for var in re.findall(r"`((?:RETROLEAN|OPENAI)_[A-Z0-9_]+)`", cells[2]):
                out[var] = cells[0]
    return out


def field_of(var: str) -> str:
    """The Settings field a variable sets (aliases included)."""
    for name, info in Settings.model_fields.items():
        alias = info.validation_alias
        if alias is not None and var in getattr(alias, "choices", [alias]):
            return name
    return var.removeprefix("RETROLEAN_").lower()


def test_the_readme_documents_every_variable_tested_and_every_setting():
    assert set(documented()) == set(VALUES)
    assert {field_of(v) for v in VALUES} == set(Settings.model_fields)


@pytest.mark.parametrize("var", sorted(VALUES))
def test_each_documented_variable_is_read(var, monkeypatch):
    good, expected, _ = VALUES[var]
    monkeypatch.setenv(var, good)
    value = getattr(load_settings(), field_of(var))
    value = value.get_secret_value() if hasattr(value, "get_secret_value") else value
    assert value == expected


@pytest.mark.parametrize("var", sorted(v for v, (_, _, bad) in VALUES.items() if bad))
def test_a_bad_value_in_the_environment_is_a_one_line_error(var, monkeypatch):
    monkeypatch.setenv(var, VALUES[var][2])
    with pytest.raises(UserError) as e:
        load_settings()
    assert var in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("env, fragment", [
    ({"RETROLEAN_N": "0"}, "--n must be at least 1 (got 0; from --n or RETROLEAN_N)"),
    ({"RETROLEAN_K": "0"}, "--k must be at least 1"),
    ({"RETROLEAN_DOMAINS": "primes,no_such"}, "unknown domain 'no_such'"),
    ({"RETROLEAN_RECIPE": "no-such-recipe"}, "unknown recipe"),
    ({"RETROLEAN_FORMAL": "coq"}, "RETROLEAN_FORMAL"),
])
def test_the_run_command_reads_the_environment(env, fragment, monkeypatch, tmp_path, capsys):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("RETROLEAN_WORKSPACE", str(tmp_path / "ws"))
    with pytest.raises(SystemExit) as e:
        main(["run", "g"])
    err = capsys.readouterr().err.strip()
    assert e.value.code == 2 and fragment in err and "\n" not in err
    assert not (tmp_path / "ws").exists()


def test_run_parameters_from_the_environment_reach_the_run(monkeypatch, tmp_path):
    import json

    monkeypatch.setenv("RETROLEAN_N", "3")
    monkeypatch.setenv("RETROLEAN_SEED", "5")
    monkeypatch.setenv("RETROLEAN_DOMAINS", "primes,nim_games,coin_change")
    monkeypatch.setenv("RETROLEAN_BUDGET_SECONDS", "0.001")  # stop after the first stage
    with pytest.raises(SystemExit) as e:
        main(["run", "g", "--workspace", str(tmp_path / "ws"), "--formal", "smtlib2"])
    assert e.value.code == 3
    (run,) = (tmp_path / "ws" / "runs").iterdir()
    plan = json.loads((run / "plan.json").read_text())
    assert plan["parameters"]["n"] == 3 and plan["parameters"]["seed"] == 5
    snapshot = json.loads((run / "run.json").read_text())
    assert snapshot["options"]["domains"] == ["primes", "nim_games", "coin_change"]
