"""Catalogs and recipes load, are big enough, and fail with one line naming file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retrolean.memory.errors import UserError
from retrolean.recipes.catalog_loader import CATALOG_DIR, load_catalog
from retrolean.recipes.plans import load_recipe
from retrolean.recipes.recipe import RECIPE_DIR
from retrolean.skills.cards import MIN_FRAMES
from retrolean.skills.problems.registry import gadget_domains


def test_shipped_catalog_has_what_the_recipe_needs():
    catalog = load_catalog()
    assert len(catalog.domains) >= 40
    assert len(set(gadget_domains()) & set(catalog.domains)) >= 40
    assert {"humanities_major", "stem_on_lsd", "autodidact", "lazy_busy"} <= set(catalog.personas)
    assert len(catalog.conversations) >= 4
    for card in catalog.domains.values():
        assert len(card.frames) >= MIN_FRAMES
        assert card.touchstones.smtlib2 and card.touchstones.lean4


def test_shipped_recipe_names_its_stages_and_parameters():
    recipe = load_recipe("make-r1-easier-to-prompt")
    assert [s.name for s in recipe.stages][:2] == ["formalize", "presence"]
    assert recipe.parameters.frame_shift_rate == 0.5


def _copy_catalog(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, target)
    return target


def _error(fn) -> str:
    with pytest.raises(UserError) as e:
        fn()
    message = str(e.value)
    assert "\n" not in message
    return message


def test_a_catalog_directory_of_another_layout_is_a_one_line_error(tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    shutil.copy(CATALOG_DIR / "domains" / "core.yaml", flat / "core.yaml")  # not in domains/
    message = _error(lambda: load_catalog(flat))
    assert "holds core.yaml, which the catalog does not read" in message
    assert "domain files go in domains/" in message
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds none of domains/*.yaml" in _error(lambda: load_catalog(empty))


def test_the_run_command_refuses_a_catalog_it_would_ignore(tmp_path, capsys):
    from retrolean.agent.cli import main

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "music.yaml").write_text("- id: x\n")
    with pytest.raises(SystemExit) as e:
        main(["run", "g", "--catalog", str(tmp_path / "mine"), "--workspace",
              str(tmp_path / "ws")])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "music.yaml" in err and "\n" not in err and not (tmp_path / "ws").exists()


def test_malformed_yaml_names_the_file_and_line(tmp_path):
    catalog = _copy_catalog(tmp_path)
    (catalog / "personas.yaml").write_text("- id: x\n  name: [unclosed\n")
    message = _error(lambda: load_catalog(catalog))
    assert "personas.yaml" in message and "line" in message


def test_missing_field_names_entry_and_field(tmp_path):
    catalog = _copy_catalog(tmp_path)
    path = catalog / "domains" / "core.yaml"
    path.write_text(path.read_text().replace("  need: some way to hand out labels", "  nee: x", 1))
    message = _error(lambda: load_catalog(catalog))
    assert "core.yaml" in message and "[graph_colouring]" in message and "need" in message


def test_bad_touchstone_regex_is_caught(tmp_path):
    catalog = _copy_catalog(tmp_path)
    path = catalog / "domains" / "core.yaml"
    path.write_text(path.read_text().replace(r"smtlib2: ['\bcolour_\w+']", "smtlib2: ['(']", 1))
    message = _error(lambda: load_catalog(catalog))
    assert "touchstones.smtlib2" in message and "regular expression" in message


def test_duplicate_domain_ids_are_inconsistent(tmp_path):
    catalog = _copy_catalog(tmp_path)
    shutil.copy(catalog / "domains" / "core.yaml", catalog / "domains" / "zz_copy.yaml")
    assert "duplicate domain id" in _error(lambda: load_catalog(catalog))


def test_too_few_frames_is_rejected(tmp_path):
    catalog = _copy_catalog(tmp_path)
    path = catalog / "domains" / "core.yaml"
    text = path.read_text()
    start = text.index("    - name: radio frequencies")
    end = text.index("  keywords:", start)
    path.write_text(text[:start] + text[end:])
    assert "frames" in _error(lambda: load_catalog(catalog))


def test_unknown_recipe_lists_the_available_ones():
    assert "make-r1-easier-to-prompt" in _error(lambda: load_recipe("nope"))


def test_recipe_with_unknown_stage_or_wrong_order(tmp_path):
    text = (RECIPE_DIR / "make-r1-easier-to-prompt.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("- name: caption", "- name: captoin"))
    assert "unknown stage 'captoin'" in _error(lambda: load_recipe(str(bad)))
    start = text.index("  - name: formalize")
    without_formalize = text[:start] + text[text.index("  - name: presence"):]
    bad.write_text(without_formalize)
    assert "needs formal from an earlier stage" in _error(lambda: load_recipe(str(bad)))
    bad.write_text(text.replace("- name: caption\n", "- name: caption\n    skill: persona\n"))
    assert "runs skill 'caption', not 'persona'" in _error(lambda: load_recipe(str(bad)))
    bad.write_text(text.replace("- name: presence\n    tools: [touchstones, judge]",
                                "- name: presence\n    tools: [judge]"))
    assert "stages.1.tools: stage 'presence' needs touchstones" in _error(
        lambda: load_recipe(str(bad)))


def test_recipe_parameter_out_of_range(tmp_path):
    text = (RECIPE_DIR / "make-r1-easier-to-prompt.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("frame_shift_rate: 0.5", "frame_shift_rate: 1.5"))
    assert "parameters.frame_shift_rate" in _error(lambda: load_recipe(str(bad)))
