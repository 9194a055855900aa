"""Interfaces say what callers use: the backend protocol, and the formal language named once."""

from __future__ import annotations

import json

from retrolean.memory.languages import FormalLanguage
from retrolean.recipes.backends.base import SkillBackend
from retrolean.recipes.backends.model import ModelBackend
from retrolean.recipes.backends.template import TemplateBackend
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.recipes.records import Formal
from retrolean.tools.checkers import CHECKER_LANGUAGE, checker_tool
from retrolean.tools.generate import ModelClient, ModelConfig

CARDS = load_catalog(None).domains


def test_the_template_backend_declares_what_the_agent_calls_and_makes_no_calls():
    backend = TemplateBackend(CARDS)
    assert isinstance(backend, SkillBackend)
    assert backend.client is None and backend.model is None and backend.drain_calls() == []
    assert backend.call_totals().calls == 0
    assert backend.skill_versions["formalize"].startswith("template-")


def test_the_model_backend_declares_the_same():
    client = ModelClient(ModelConfig(base_url="http://127.0.0.1:9/v1", model="m"))
    backend = ModelBackend(client, CARDS)
    assert isinstance(backend, SkillBackend)
    assert backend.client is client and backend.drain_calls() == []
    assert backend.skill_versions["formalize.smtlib2"]


def test_a_formal_language_is_its_string_in_records_and_json():
    assert FormalLanguage("lean4") is FormalLanguage.LEAN4 and FormalLanguage.LEAN4 == "lean4"
    formal = Formal(language="smtlib2", text="(check-sat)")
    assert formal.language is FormalLanguage.SMTLIB2
    assert json.loads(formal.model_dump_json())["language"] == "smtlib2"
    assert (FormalLanguage.SMTLIB2.label, FormalLanguage.LEAN4.fence) == ("SMT-LIB 2", "lean")


def test_each_language_has_one_checker_tool():
    assert {checker_tool(lang) for lang in FormalLanguage} == set(CHECKER_LANGUAGE)
    assert checker_tool(FormalLanguage.LEAN4) == "lean_check"
