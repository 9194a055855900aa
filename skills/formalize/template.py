"""formalize, template process: combine k domains into one linked formal problem.

Each domain's gadget samples its own parameters; the parts are chained by
links between random ports, so the combination shares quantities and may be
inconsistent — the checker decides. The same spec renders to SMT-LIB 2 or,
with a witness, to Lean 4.

Example: formalize_spec(["graph_colouring", "primes"], None, Random(1)) ->
  ProblemSpec(domains=[...], params={...}, links=[Link(a="graph_colouring", ...)])
"""

from __future__ import annotations

import random
from collections.abc import Callable

from retrolean.memory.languages import FormalLanguage
from retrolean.skills.problems.links import choose_link
from retrolean.skills.problems.registry import gadget_for
from retrolean.skills.problems.render_lean import render_lean
from retrolean.skills.problems.render_smt import render_smt
from retrolean.skills.problems.spec import ProblemSpec, choose_links, compile_spec

VERSION = "template-1"


Solver = Callable[[str], dict[str, int] | None]  # SMT-LIB text -> a model, or None
# A spec -> the indices of its links that add no constraint (or could not be shown to add
# one); None when that cannot be judged (an inconsistent problem implies everything).
VacuousLinks = Callable[[ProblemSpec], list[int] | None]
REDRAWS = 3


def formalize_spec(domains: list[str], theme: str | None, rng: random.Random,
                   solve: Solver | None = None, guided_rate: float = 0.0,
                   vacuous: VacuousLinks | None = None) -> ProblemSpec:
    """A seeded combined problem over the given domains (in that order).

    With a `solve` function each part is first solved alone, and at `guided_rate` the links
    are chosen among those the parts' solutions satisfy (see `choose_links`). With `vacuous`,
    links that add no constraint are drawn again, up to REDRAWS rounds; what is left is the
    checker's to reject.
    """
    params = {d: gadget_for(d).sample(rng) for d in domains}
    parts = {d: gadget_for(d).build(params[d]) for d in domains}
    witnesses = None
    if solve is not None and guided_rate > 0:
        witnesses = {}
        for d in domains:
            alone = ProblemSpec(domains=[d], params={d: params[d]})
            found = solve(render(alone, FormalLanguage.SMTLIB2))
            if found is not None:
                witnesses[d] = {v.name: found.get(v.name, v.lo) for v in parts[d].variables}
    links = choose_links(parts, domains, rng, witnesses, guided_rate)
    spec = ProblemSpec(domains=domains, params=params, links=links, theme=theme)
    tried = {link.model_dump_json() for link in links}
    for _ in range(REDRAWS if vacuous is not None else 0):
        bad = vacuous(spec)  # type: ignore[misc]
        if not bad:
            break
        for i in bad:  # a fitting link keeps the problem consistent; one not tried yet
            link = spec.links[i]
            for _draw in range(8):
                links[i] = choose_link(parts, link.a, link.b, rng, witnesses, 1.0)
                if links[i].model_dump_json() not in tried:
                    break
            tried.add(links[i].model_dump_json())
        spec = spec.model_copy(update={"links": list(links)})
    return spec


def title(spec: ProblemSpec) -> str:
    """The comment line naming the problem."""
    theme = f" (theme: {spec.theme})" if spec.theme else ""
    return f"retrolean problem: {' + '.join(spec.domains)}{theme}"


def render(spec: ProblemSpec, language: FormalLanguage,
           witness: dict[str, int] | None = None) -> str:
    """The spec as SMT-LIB 2, or as Lean 4 with an existence proof when a witness is given."""
    problem = compile_spec(spec)
    if language == FormalLanguage.LEAN4:
        return render_lean(problem, title(spec), witness)
    return render_smt(problem, title(spec))
