"""Gadgets for Diophantine domains: linear systems, Pythagorean triples, sums of squares.

Each gadget asks for whole numbers satisfying polynomial equations, stated directly in the
term language (products of unknowns make these QF_NIA problems). The unknowns another domain
may share (the solution, hypotenuses and legs, squares and roots) are ports. Trade-off: every
unknown has tight bounds from the parameters so the non-linear search stays fast, and samplers
build each instance from a hidden solution (or a brute-force check) so it is solvable alone.
"""

from __future__ import annotations

import math
import random

from retrolean.skills.problems.codecs import INT
from retrolean.skills.problems.gadget import Gadget, IntVar, Params, Part, Port, register
from retrolean.skills.problems.terms import Term, add, eq, lt, mul


@register
class DiophantineEquations(Gadget):
    """A pair of linear Diophantine equations (count and weighted total) in bounded unknowns."""

    domain = "diophantine_equations"
    prefix = "dioph_"
    sentences = (
        "Solve in whole numbers x, y and z, each from 0 to {bound}, the pair of Diophantine "
        "equations x + y + z = {n} and {a}x + {b}y + {c}z = {d}.",
        "Find non-negative integers x, y, z, none larger than {bound}, satisfying both "
        "Diophantine equations {a}x + {b}y + {c}z = {d} and x + y + z = {n}.",
    )
    fields = {"bound": INT, "n": INT, "a": INT, "b": INT, "c": INT, "d": INT}

    def sample(self, rng: random.Random) -> Params:
        a, b, c = rng.sample(range(2, 13), 3)
        bound = rng.randint(6, 15)
        x, y, z = (rng.randint(0, bound) for _ in range(3))
        return {"bound": bound, "n": x + y + z, "a": a, "b": b, "c": c, "d": a * x + b * y + c * z}

    def build(self, params: Params) -> Part:
        bound, n, a, b, c, d = (params[f] for f in ("bound", "n", "a", "b", "c", "d"))
        if not (1 <= bound <= 1000 and min(a, b, c) >= 1 and n >= 0 and d >= 0):
            raise ValueError("Diophantine system out of range")
        names = ["dioph_x", "dioph_y", "dioph_z"]
        constraints = [
            eq(add(*names), n),
            eq(add(*[mul(k, v) for k, v in zip((a, b, c), names, strict=True)]), d),
        ]
        return Part.from_ports(
            constraints, Port("unknowns", "the Diophantine unknowns", tuple(names), 0, bound,
                              items=("x", "y", "z"))
        )


def pythagorean_hypotenuses(bound: int) -> list[int]:
    """Hypotenuses up to bound of right triangles with whole-number sides, increasing.

    Example: pythagorean_hypotenuses(15) -> [5, 10, 13, 15]
    """
    return [c for c in range(1, bound + 1)
            if any(math.isqrt(c * c - a * a) ** 2 == c * c - a * a
                   for a in range(1, c) if a * a < c * c - a * a)]


@register
class PythagoreanTriples(Gadget):
    """Several Pythagorean triples with different hypotenuses under a bound."""

    domain = "pythagorean_triples"
    prefix = "pyth_"
    sentences = (
        "Find {count} Pythagorean triples (whole-number right triangles with legs a < b and "
        "hypotenuse c, so a*a + b*b = c*c) with different hypotenuses, none longer than {bound}.",
        "List {count} right triangles with whole-number sides, legs a < b and hypotenuse c "
        "(a*a + b*b = c*c), no two sharing a hypotenuse and every hypotenuse at most {bound}.",
    )
    fields = {"count": INT, "bound": INT}

    def sample(self, rng: random.Random) -> Params:
        bound = rng.randint(15, 40)
        count = rng.randint(1, min(3, len(pythagorean_hypotenuses(bound))))
        return {"count": count, "bound": bound}

    def build(self, params: Params) -> Part:
        count, bound = params["count"], params["bound"]
        if not (1 <= count <= 4 and 5 <= bound <= 200):
            raise ValueError("Pythagorean problem out of range")
        legs_a = self.unknowns("a", count)
        legs_b = self.unknowns("b", count)
        hyps = self.unknowns("c", count)
        constraints: list[Term] = []
        for a, b, c in zip(legs_a, legs_b, hyps, strict=True):
            constraints += [lt(a, b), lt(b, c), eq(add(mul(a, a), mul(b, b)), mul(c, c))]
        constraints += [lt(c, d) for c, d in zip(hyps, hyps[1:], strict=False)]
        return Part(
            variables=[IntVar(x, 1, bound - 1) for x in legs_a + legs_b]
            + [IntVar(c, 5, bound) for c in hyps],
            constraints=constraints,
            ports=[
                Port("hypotenuses", "the triangle hypotenuses", tuple(hyps), 5, bound,
                     item="the hypotenuse of triangle {k}", first=1),
                Port("short_legs", "the shorter triangle legs", tuple(legs_a), 1, bound - 1,
                     item="the short leg of triangle {k}", first=1),
            ],
        )


@register
class PerfectSquares(Gadget):
    """Different perfect squares in a range with a prescribed sum."""

    domain = "perfect_squares"
    prefix = "square_"
    sentences = (
        "Find {count} different perfect squares between {lo} and {hi} whose sum is {total}.",
        "Pick {count} distinct square numbers, each the square of a whole number and each from "
        "{lo} to {hi}, that add up to {total}.",
    )
    fields = {"count": INT, "lo": INT, "hi": INT, "total": INT}

    def sample(self, rng: random.Random) -> Params:
        lo = rng.randint(1, 20)
        hi = lo + rng.randint(60, 200)
        roots = range(math.isqrt(lo - 1) + 1, math.isqrt(hi) + 1)
        count = rng.randint(2, 4)
        return {"count": count, "lo": lo, "hi": hi,
                "total": sum(r * r for r in rng.sample(roots, count))}

    def build(self, params: Params) -> Part:
        count, lo, hi, total = params["count"], params["lo"], params["hi"], params["total"]
        if not (1 <= count <= 8 and 1 <= lo <= hi <= 100000):
            raise ValueError("perfect squares out of range")
        root_lo, root_hi = math.isqrt(lo - 1) + 1, math.isqrt(hi)
        if root_lo > root_hi:
            raise ValueError("no square in range")
        roots = self.unknowns("root", count)
        nums = self.unknowns("num", count)
        constraints: list[Term] = [eq(n, mul(r, r)) for n, r in zip(nums, roots, strict=True)]
        constraints += [lt(a, b) for a, b in zip(roots, roots[1:], strict=False)]
        constraints.append(eq(add(*nums), total))
        return Part(
            variables=[IntVar(r, root_lo, root_hi) for r in roots]
            + [IntVar(n, lo, hi) for n in nums],
            constraints=constraints,
            ports=[
                Port("squares", "the perfect squares", tuple(nums), lo, hi,
                     item="square number {k}", first=1),
                Port("roots", "the square roots", tuple(roots), root_lo, root_hi,
                     item="the root of square number {k}", first=1),
            ],
        )
