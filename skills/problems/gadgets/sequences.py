"""Gadgets for sequence domains: arithmetic progressions and linear recurrences.

Every term is an unknown and the rule linking neighbours is a constraint, so another domain
can be tied to the terms (or the common step). Trade-off: sequences are short (up to a dozen
terms) and a recurrence's term bounds are computed from its rule, which keeps it from growing
past what a solver or Lean's `decide` handles comfortably.
"""

from __future__ import annotations

import random

from retrolean.skills.problems.codecs import INT
from retrolean.skills.problems.gadget import Gadget, IntVar, Params, Part, Port, register
from retrolean.skills.problems.terms import Term, add, eq, mul


@register
class ArithmeticProgressions(Gadget):
    """An increasing arithmetic progression inside a range with a prescribed sum."""

    domain = "arithmetic_progressions"
    prefix = "arithprog_"
    sentences = (
        "Find an arithmetic progression of {count} whole numbers, all between {lo} and {hi}, "
        "increasing by the same positive step each time and adding up to {total}.",
        "Choose {count} equally spaced, strictly increasing integers from {lo} to {hi} (a "
        "constant positive common difference) whose total is {total}.",
    )
    fields = {"count": INT, "lo": INT, "hi": INT, "total": INT}

    def sample(self, rng: random.Random) -> Params:
        count, step = rng.randint(4, 6), rng.randint(1, 5)
        lo = rng.randint(0, 10)
        first = lo + rng.randint(0, 5)
        hi = first + step * (count - 1) + rng.randint(0, 6)
        total = count * first + step * count * (count - 1) // 2
        return {"count": count, "lo": lo, "hi": hi, "total": total}

    def build(self, params: Params) -> Part:
        count, lo, hi, total = params["count"], params["lo"], params["hi"], params["total"]
        if not (2 <= count <= 12 and lo >= 0 and lo + count - 1 <= hi <= 10000):
            raise ValueError("progression out of range")
        terms = self.unknowns("term", count)
        step = "arithprog_step"
        constraints = [eq(b, add(a, step)) for a, b in zip(terms, terms[1:], strict=False)]
        constraints.append(eq(add(*terms), total))
        max_step = (hi - lo) // (count - 1)
        return Part.from_ports(
            constraints,
            Port("terms", "the progression terms", tuple(terms), lo, hi,
                 item="term {k} of the progression", first=1),
            Port("step", "the progression steps", (step,), 1, max_step,
                 item="the common step of the progression"),
        )


@register
class LinearRecurrences(Gadget):
    """A second-order linear recurrence with unknown start and a prescribed last term."""

    domain = "linear_recurrences"
    prefix = "recur_"
    sentences = (
        "A sequence of {length} terms follows a linear recurrence: each term from the third on "
        "is {a} times the term before it plus {b} times the term two places back; the first two "
        "terms are whole numbers from 0 to {m} and the last term is {last}.",
        "Find the first two terms, each between 0 and {m}, of a {length}-term sequence obeying "
        "the recurrence t(k+2) = {a} t(k+1) + {b} t(k), given that its final term equals {last}.",
    )
    fields = {"length": INT, "a": INT, "b": INT, "m": INT, "last": INT}

    def sample(self, rng: random.Random) -> Params:
        a, b = rng.randint(1, 3), rng.randint(1, 2)
        length, m = rng.randint(5, 7), rng.randint(2, 6)
        terms = [rng.randint(0, m), rng.randint(0, m)]
        while len(terms) < length:
            terms.append(a * terms[-1] + b * terms[-2])
        return {"length": length, "a": a, "b": b, "m": m, "last": terms[-1]}

    def build(self, params: Params) -> Part:
        length, a, b, m, last = (params[f] for f in ("length", "a", "b", "m", "last"))
        if not (3 <= length <= 12 and 0 <= a <= 5 and 0 <= b <= 5 and 0 <= m <= 50):
            raise ValueError("recurrence out of range")
        highs = [m, m]
        while len(highs) < length:
            highs.append(a * highs[-1] + b * highs[-2])
        names = self.unknowns("term", length)
        constraints: list[Term] = [
            eq(names[k + 2], add(mul(a, names[k + 1]), mul(b, names[k])))
            for k in range(length - 2)
        ]
        constraints.append(eq(names[-1], last))
        return Part(
            variables=[IntVar(x, 0, hi) for x, hi in zip(names, highs, strict=True)],
            constraints=constraints,
            ports=[Port("terms", "the recurrence terms", tuple(names), 0, highs[-1],
                        item="term {k} of the sequence", first=1)],
        )
