"""Conformance of every gadget with its catalog card: the template backend's contract."""

from __future__ import annotations

import random
import re

import pytest
import z3

from retrolean.recipes.catalog_loader import load_domains
from retrolean.skills.problems.registry import gadget_domains, gadget_for
from retrolean.skills.problems.render_smt import render_smt
from retrolean.skills.problems.spec import ProblemSpec, compile_spec
from retrolean.skills.problems.terms import evaluate
from retrolean.tools.touchstones import touchstones_present

DOMAINS = gadget_domains()
SEEDS = range(12)


def solo_smt(domain: str, params: dict) -> str:
    spec = ProblemSpec(domains=[domain], params={domain: params})
    return render_smt(compile_spec(spec), domain)


def test_every_gadget_has_a_catalog_card():
    cards = load_domains()
    assert set(DOMAINS) <= set(cards), set(DOMAINS) - set(cards)


def test_prefixes_are_unique():
    prefixes = [gadget_for(d).prefix for d in DOMAINS]
    for a in prefixes:
        for b in prefixes:
            assert a == b or not a.startswith(b), (a, b)


@pytest.mark.parametrize("domain", DOMAINS)
def test_sampling_is_deterministic(domain):
    g = gadget_for(domain)
    assert g.sample(random.Random(7)) == g.sample(random.Random(7))


@pytest.mark.parametrize("domain", DOMAINS)
def test_caption_sentences_parse_back_exactly(domain):
    g = gadget_for(domain)
    for seed in SEEDS:
        rng = random.Random(seed)
        params = g.sample(rng)
        for template_seed in range(len(g.sentences)):
            text = g.describe(params, random.Random(template_seed))
            assert g.parse("Some preamble. " + text + " More text.") == params, text


@pytest.mark.parametrize("domain", DOMAINS)
def test_variables_carry_the_prefix_and_ports_exist(domain):
    g = gadget_for(domain)
    part = g.build(g.sample(random.Random(1)))
    assert part.ports, "a gadget needs a port to be linked"
    assert all(v.name.startswith(g.prefix) for v in part.variables)
    names = {v.name for v in part.variables}
    for port in part.ports:
        assert port.terms and set(port.terms) <= names


@pytest.mark.parametrize("domain", DOMAINS)
def test_touchstones_match_own_text_only(domain):
    cards = load_domains()
    g = gadget_for(domain)
    own = solo_smt(domain, g.sample(random.Random(3)))
    assert touchstones_present(own, cards[domain].touchstones.smtlib2, "smtlib2")
    for other in DOMAINS:
        if other != domain:
            assert not touchstones_present(own, cards[other].touchstones.smtlib2, "smtlib2"), other


@pytest.mark.parametrize("domain", DOMAINS)
def test_keywords_recognise_name_sentences_frames_and_lay_terms_but_not_the_need(domain):
    card = load_domains()[domain]
    g = gadget_for(domain)

    def recognised(text: str) -> bool:
        return any(re.search(k, text, re.IGNORECASE) for k in card.keywords)

    params = g.sample(random.Random(0))
    for i in range(len(g.sentences)):
        assert recognised(g.describe(params, random.Random(i)))
    for frame in card.frames:
        assert recognised(frame.text), frame.name
    for term in card.lay_terms:
        assert recognised(term), term
    assert recognised(card.name), card.name
    assert not recognised(card.need), card.need


@pytest.mark.parametrize("domain", DOMAINS)
def test_gadget_alone_is_mostly_satisfiable_and_witness_checks(domain):
    g = gadget_for(domain)
    sat = 0
    for seed in SEEDS:
        params = g.sample(random.Random(seed))
        spec = ProblemSpec(domains=[domain], params={domain: params})
        problem = compile_spec(spec)
        solver = z3.Solver()
        solver.set("timeout", 2000)
        solver.from_string(render_smt(problem, domain))
        if solver.check() != z3.sat:
            continue
        sat += 1
        model = solver.model()
        env = {d.name(): model[d].as_long() for d in model.decls()}
        for v in problem.variables:
            env.setdefault(v.name, v.lo)
        assert all(evaluate(c, env) for c in problem.constraints + problem.bounds())
    assert sat >= len(SEEDS) * 0.6, f"only {sat}/{len(SEEDS)} satisfiable"


@pytest.mark.parametrize("domain", DOMAINS)
def test_lean_touchstones_match_own_lean_rendering_only(domain):
    from retrolean.skills.problems.render_lean import render_lean

    cards = load_domains()
    g = gadget_for(domain)
    spec = ProblemSpec(domains=[domain], params={domain: g.sample(random.Random(3))})
    own = render_lean(compile_spec(spec), domain, None)
    assert touchstones_present(own, cards[domain].touchstones.lean4, "lean4")
    for other in DOMAINS:
        if other != domain:
            assert not touchstones_present(own, cards[other].touchstones.lean4, "lean4"), other


def test_renderings_do_not_depend_on_the_hash_seed():
    """Same seed, same text in every process: no set or dict-of-set iteration order leaks out."""
    import subprocess
    import sys

    script = ("import random, hashlib\n"
              "from retrolean.skills.problems.registry import gadget_domains, gadget_for\n"
              "from retrolean.skills.problems.spec import ProblemSpec, compile_spec\n"
              "from retrolean.skills.problems.render_smt import render_smt\n"
              "h = hashlib.sha256()\n"
              "for d in gadget_domains():\n"
              "    for s in range(5):\n"
              "        p = gadget_for(d).sample(random.Random(s))\n"
              "        h.update(render_smt(compile_spec(ProblemSpec(domains=[d], "
              "params={d: p})), d).encode())\n"
              "print(h.hexdigest())\n")
    digests = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       env={**__import__("os").environ, "PYTHONHASHSEED": seed},
                       check=True).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(digests) == 1
