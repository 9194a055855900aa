"""One import namespace: the wheel and the editable install expose only `retrolean`.

The repository root is the package directory of `retrolean` (pyproject's
`package-dir`), so these tests build the real wheel and install it beside
distributions named like our folders (`tools`, `memory`, `agent`, `evals`),
which must neither break retrolean nor be broken by it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

import retrolean

ROOT = Path(__file__).resolve().parents[1]
ROOMS = ("agent", "tools", "skills", "recipes", "memory", "traces", "evals")
DATA_SUFFIXES = (".yaml", ".md", ".j2", ".json")
GENERIC_NAMES = ("tools", "memory", "agent", "evals")


def _pip(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args],
                          capture_output=True, text=True, timeout=300, check=True)


def _source_files() -> list[str]:
    """Every file of the package as it should sit in the wheel (`retrolean/...`)."""
    files = ["retrolean/__init__.py", "retrolean/__main__.py"]
    for room in ROOMS:
        for path in sorted((ROOT / room).rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            if path.suffix == ".py" or path.suffix in DATA_SUFFIXES:
                files.append("retrolean/" + path.relative_to(ROOT).as_posix())
    return files


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # built from a copy, so no stale build/ directory of the checkout leaks into it
    source = tmp_path_factory.mktemp("source") / "retrolean"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "workspace", "__pycache__", "*.egg-info", ".*_cache"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(source)],
                   capture_output=True, text=True, timeout=300, check=True)
    (built,) = out.glob("retrolean-*.whl")
    return built


def _fake_distribution(tmp: Path, name: str) -> Path:
    """A wheel of a distribution whose import package is called `name`."""
    project = tmp / f"fake-{name}"
    (project / name).mkdir(parents=True)
    (project / name / "__init__.py").write_text(f"WHO = 'the {name} distribution'\n")
    (project / "pyproject.toml").write_text(
        f'[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        f'[project]\nname = "{name}"\nversion = "9.9"\n'
        f'[tool.setuptools]\npackages = ["{name}"]\n')
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp), str(project)],
                   capture_output=True, text=True, timeout=300, check=True)
    (built,) = tmp.glob(f"{name}-9.9-*.whl")
    return built


def test_package_list_covers_every_folder_with_an_init():
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                   ["packages"])
    on_disk = {"retrolean"} | {
        "retrolean." + ".".join(p.parent.relative_to(ROOT).parts)
        for room in ROOMS for p in (ROOT / room).rglob("__init__.py")}
    assert declared == on_disk


def test_wheel_has_one_top_level_name_and_every_source_and_data_file(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"retrolean", wheel.name.split("-py3")[0]
                                                + ".dist-info"}
    missing = sorted(set(_source_files()) - set(names))
    assert not missing, f"files left out of the wheel: {missing[:10]}"
    # the catalogs, prompts, templates and recipes the product reads at run time
    for required in ("retrolean/recipes/make-r1-easier-to-prompt.yaml",
                     "retrolean/recipes/catalog/domains/core.yaml",
                     "retrolean/skills/caption/prompt.md",
                     "retrolean/agent/graph/plan_prompt.md",
                     "retrolean/evals/templates/report.html.j2"):
        assert required in names
    assert not [n for n in names if n.startswith(("retrolean/tests/", "retrolean/bench/"))]


def test_tests_import_the_installed_package_not_the_checkout():
    # the checkout's folders are not importable under their own names ...
    for name in ROOMS:
        spec = importlib.util.find_spec(name)
        assert spec is None or not str(spec.origin or "").startswith(str(ROOT / name))
    # ... and `retrolean` comes from an installed distribution
    assert importlib.metadata.distribution("retrolean").version == retrolean.__version__


def test_generic_distributions_installed_beside_it_do_not_touch_it(wheel: Path,
                                                                   tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; "
                                "print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # retrolean's dependencies come from this environment's site-packages (a path line in a
    # .pth, so its own editable install is not activated); retrolean itself from the wheel
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _pip(python, "install", "--no-deps", "--no-index", str(wheel))
    check = ("import retrolean, retrolean.tools.smt_check, retrolean.memory.workspace, "
             "retrolean.agent.cli, retrolean.evals.report; "
             "from retrolean.recipes.plans import load_recipe; "
             "load_recipe('make-r1-easier-to-prompt'); print(retrolean.__file__)")

    def retrolean_works() -> None:
        done = subprocess.run([str(python), "-c", check], capture_output=True, text=True,
                              cwd=tmp_path, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip().startswith(str(site))

    retrolean_works()
    for name in GENERIC_NAMES:
        _pip(python, "install", "--no-deps", "--no-index", str(_fake_distribution(tmp_path,
                                                                                   name)))
        retrolean_works()
        who = subprocess.run([str(python), "-c", f"import {name}; print({name}.WHO)"],
                             capture_output=True, text=True, cwd=tmp_path, check=True)
        assert who.stdout.strip() == f"the {name} distribution"
        _pip(python, "uninstall", "-y", name)
        retrolean_works()
    help_text = subprocess.run([str(venv / "bin" / "retrolean"), "--help"], capture_output=True,
                               text=True, cwd=tmp_path, timeout=300)
    assert help_text.returncode == 0 and "retrolean" in help_text.stdout
