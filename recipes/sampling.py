"""Sample the run's problems: k distinct domains each, combinations spread out, some themed.

Example: sample_records(recipe, ["primes", "scheduling", "graph_colouring"], "template")[0]
  -> Record(id="1-00000-…", domains=["scheduling", "primes", "graph_colouring"], theme=None, …)
"""

from __future__ import annotations

import hashlib
import random

from retrolean.memory.errors import UserError
from retrolean.recipes.recipe import Recipe
from retrolean.recipes.records import Provenance, Record


def record_id(seed: int, index: int, domains: list[str]) -> str:
    """A stable id: seed, index and a short hash of the combination."""
    digest = hashlib.sha1(f"{seed}:{index}:{'+'.join(domains)}".encode()).hexdigest()[:8]
    return f"s{seed}-{index:05d}-{digest}"


def sample_records(recipe: Recipe, pool: list[str], generator: str, themes: list[str],
                   model: str | None = None,
                   skill_versions: dict[str, str] | None = None,
                   include: list[str] | None = None) -> list[Record]:
    """n records of k distinct domains from the pool, avoiding repeated combinations; with
    `include`, every record has at least one of those domains (taken in turn)."""
    p = recipe.parameters
    if p.k > len(pool):
        raise UserError(f"k = {p.k} domains per problem but only {len(pool)} domains are "
                        f"available; lower k or add domains")
    rng = random.Random(f"{p.seed}:sample")
    seen: set[frozenset[str]] = set()
    records = []
    favoured = [d for d in include or [] if d in pool]
    for i in range(p.n):
        for _ in range(20):
            if favoured:
                first = favoured[i % len(favoured)]
                domains = [first, *rng.sample(sorted(d for d in pool if d != first), p.k - 1)]
                rng.shuffle(domains)
            else:
                domains = rng.sample(sorted(pool), p.k)
            if frozenset(domains) not in seen:
                break
        seen.add(frozenset(domains))
        theme = rng.choice(themes) if themes and rng.random() < p.theme_rate else None
        records.append(Record(
            id=record_id(p.seed, i, domains), domains=domains, theme=theme,
            provenance=Provenance(generator=generator, model=model, recipe=recipe.name,
                                  seed=p.seed, skill_versions=skill_versions or {}),
        ))
    return records
