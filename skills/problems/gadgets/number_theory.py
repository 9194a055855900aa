"""Gadgets for number-theory domains."""

from __future__ import annotations

import math
import random

from skills.problems.codecs import INT
from skills.problems.gadget import Gadget, IntVar, Params, Part, Port
from skills.problems.registry import register
from skills.problems.terms import eq, lt, mod, ne, or_


@register
class Primes(Gadget):
    domain = "primes"
    prefix = "prime_"
    sentences = (
        "Pick {count} prime numbers in increasing order, each between 2 and {bound}.",
        "Choose {count} increasing primes, none larger than {bound} and none smaller than 2.",
    )
    fields = {"count": INT, "bound": INT}

    def sample(self, rng: random.Random) -> Params:
        return {"count": rng.randint(2, 4), "bound": rng.randint(15, 60)}

    def build(self, params: Params) -> Part:
        count, bound = params["count"], params["bound"]
        if not (1 <= count <= 10 and 2 <= bound <= 500):
            raise ValueError("primes out of range")
        names = [f"prime_p{i}" for i in range(count)]
        constraints = []
        divisors = [d for d in range(2, math.isqrt(bound) + 1)
                    if all(d % q for q in range(2, math.isqrt(d) + 1))]  # primes suffice
        for p in names:
            constraints += [or_(ne(mod(p, d), 0), eq(p, d)) for d in divisors]
        constraints += [lt(a, b) for a, b in zip(names, names[1:], strict=False)]
        return Part(
            variables=[IntVar(p, 2, bound) for p in names],
            constraints=constraints,
            ports=[Port("primes", "the chosen primes", tuple(names), 2, bound)],
        )
