"""Skill prompts as data: every shipped prompt loads, validates and renders strictly."""

from __future__ import annotations

import pytest

from retrolean.recipes.catalog_loader import load_catalog
from retrolean.skills.prompting import (
    PromptError,
    has_prompt,
    load_prompt,
    prompt_versions,
    split_front_matter,
)

CATALOG = load_catalog()
CARD = CATALOG.domains["primes"]
DOMAIN = {"id": CARD.id, "name": CARD.name, "description": CARD.description, "need": CARD.need,
          "lay_terms": list(CARD.lay_terms), "touchstones": [r"\bprime_\w+"]}
PERSONA = {"id": "p", "name": "someone", "description": "Talks.", "examples": ["an example"]}
SAMPLE_INPUTS = {
    "domains": [DOMAIN], "theme": "a lighthouse keeper's logbook", "mathlib": False,
    "text": "Pick a prime.", "conventions": [{"name": CARD.name, "touchstones": ["x"]}],
    "formal": "(check-sat)", "language": "smtlib2", "caption": "Pick a prime.",
    "persona": PERSONA, "description": "I need primes.", "dropped": DOMAIN, "domain": DOMAIN,
    "guidance": "keep it about bread", "feedback": "x = 3 satisfies one side only.",
    "signature": "(declare-const prime_p0 Int)", "exact": True,
}


@pytest.mark.parametrize("skill_id", sorted(prompt_versions()))
def test_every_shipped_prompt_renders_with_its_declared_inputs(skill_id):
    skill, _, variant = skill_id.partition(".")
    prompt = load_prompt(skill, variant or None)
    text = prompt.render(**{name: SAMPLE_INPUTS[name] for name in prompt.meta.inputs})
    assert text.startswith(f"# Task: {skill}") and "{{" not in text and "{%" not in text
    if prompt.meta.output.kind == "json":
        assert prompt.schema() is not None and "```json" in text
    if prompt.meta.output.kind == "yes_no":
        assert prompt.question(**{n: SAMPLE_INPUTS[n] for n in prompt.meta.inputs})


def test_each_formal_skill_has_both_languages_and_each_persona_its_own_prompt():
    for skill in ("formalize", "reformalize"):
        assert has_prompt(skill, "smtlib2") and has_prompt(skill, "lean4")
    assert all(has_prompt("persona", pid) for pid in CATALOG.personas)
    assert has_prompt("drop_domain", "frame_shift") and has_prompt("drop_domain", "keep_frame")
    for skill in ("caption", "fill_in", "judge_presence", "judge_guidance", "persona"):
        assert has_prompt(skill)


def test_persona_temperatures_come_from_the_cards():
    assert all(load_prompt("persona", pid).meta.temperature is None for pid in CATALOG.personas)


def test_a_missing_input_is_an_error():
    with pytest.raises(PromptError, match="do not match"):
        load_prompt("caption").render(formal="(check-sat)")


def test_an_undeclared_input_is_an_error():
    with pytest.raises(PromptError, match="do not match"):
        load_prompt("caption").render(formal="x", language="smtlib2", extra=1)


def test_a_missing_attribute_inside_the_body_is_an_error():
    with pytest.raises(PromptError):
        load_prompt("fill_in").render(formal="x", language="smtlib2", dropped={"name": "x"})


def test_front_matter_is_split_from_the_body():
    meta, body = split_front_matter("---\nname: x\nversion: '1'\n---\n# Task: x\nHi")
    assert meta == {"name": "x", "version": "1"} and body == "# Task: x\nHi"


@pytest.mark.parametrize("text", ["# no front matter", "---\nname: x\n", "---\n- a list\n---\n",
                                  "---\nname: [unclosed\n---\n"])
def test_malformed_front_matter_is_named(text):
    with pytest.raises(PromptError):
        split_front_matter(text)


def test_a_code_output_needs_its_language(tmp_path, monkeypatch):
    import retrolean.skills.prompting as prompting

    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "prompt.md").write_text(
        "---\nname: broken\nversion: '1'\ninputs: []\noutput: {kind: code}\n"
        "temperature: 0.5\nmax_tokens: 10\n---\nHi\n")
    monkeypatch.setattr(prompting, "SKILLS_DIR", tmp_path)
    load_prompt.cache_clear()
    try:
        with pytest.raises(PromptError, match="needs a language"):
            load_prompt("broken")
    finally:
        load_prompt.cache_clear()


def test_reformalize_reads_literally_over_the_signature_or_loosely():
    prompt = load_prompt("reformalize", "smtlib2")
    inputs = {n: SAMPLE_INPUTS[n] for n in prompt.meta.inputs}
    exact = prompt.render(**inputs)
    loose = prompt.render(**{**inputs, "exact": False})
    assert "(declare-const prime_p0 Int)" in exact and "(declare-const prime_p0 Int)" in loose
    assert "Read literally" in exact and "Do not guess" in exact
    assert "Read literally" not in loose and "constrain only the ones" in loose


def test_caption_shows_feedback_only_when_there_is_some():
    prompt = load_prompt("caption")
    inputs = {n: SAMPLE_INPUTS[n] for n in prompt.meta.inputs}
    assert "x = 3 satisfies one side only." in prompt.render(**inputs)
    assert "did not survive" not in prompt.render(**{**inputs, "feedback": None})
