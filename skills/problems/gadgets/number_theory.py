"""Gadgets for number-theory domains: primes, remainders, gcd and lcm, digits in a base.

Each gadget states a small system over bounded integer unknowns; the numbers another domain
may share (the primes, the congruent numbers, the gcd-lcm pair, the digits) are ports.
Properties usually stated with quantifiers are made quantifier-free: primality as "no
divisor up to the square root", gcd and lcm through coprime cofactors. Trade-off: bounds stay
small (primes up to 500, lcm up to 10000) so the trial-division constraints stay few.
"""

from __future__ import annotations

import math
import random

from retrolean.skills.problems.codecs import INT
from retrolean.skills.problems.gadget import Gadget, IntVar, Params, Part, Port, register
from retrolean.skills.problems.terms import Term, add, and_, eq, ge, gt, lt, mod, mul, ne, not_, or_


@register
class Primes(Gadget):
    """Increasing primes under a bound, each with no prime divisor up to its square root."""

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
        names = self.unknowns("p", count)
        constraints = []
        divisors = [d for d in range(2, math.isqrt(bound) + 1)
                    if all(d % q for q in range(2, math.isqrt(d) + 1))]  # primes suffice
        for p in names:
            constraints += [or_(ne(mod(p, d), 0), eq(p, d)) for d in divisors]
        constraints += [lt(a, b) for a, b in zip(names, names[1:], strict=False)]
        return Part.from_ports(
            constraints, Port("primes", "the chosen primes", tuple(names), 2, bound,
                              item="prime {k} in increasing order", first=1)
        )


@register
class ModularArithmetic(Gadget):
    """Increasing numbers that share a remainder, whose sum has a prescribed remainder."""

    domain = "modular_arithmetic"
    prefix = "modarith_"
    sentences = (
        "Find {count} different whole numbers between 1 and {bound}, in increasing order, each "
        "leaving remainder {r} when divided by {m}, whose sum leaves remainder {s} when "
        "divided by {k}.",
        "Choose {count} increasing whole numbers from 1 to {bound} that are all congruent to "
        "{r} modulo {m} and whose total is congruent to {s} modulo {k}.",
    )
    fields = {"count": INT, "bound": INT, "r": INT, "m": INT, "s": INT, "k": INT}

    def sample(self, rng: random.Random) -> Params:
        m = rng.randint(3, 9)
        r = rng.randrange(m)
        count = rng.randint(2, 4)
        bound = rng.randint(m * (count + 1), m * (count + 4))
        chosen = rng.sample([x for x in range(1, bound + 1) if x % m == r], count)
        k = rng.randint(2, 7)
        return {"count": count, "bound": bound, "r": r, "m": m, "s": sum(chosen) % k, "k": k}

    def build(self, params: Params) -> Part:
        count, bound, r, m, s, k = (params[f] for f in ("count", "bound", "r", "m", "s", "k"))
        if not (1 <= count <= 8 and 1 <= bound <= 1000 and 2 <= m <= 50 and 2 <= k <= 50):
            raise ValueError("modular problem out of range")
        if not (0 <= r < m and 0 <= s < k):
            raise ValueError("a remainder must be smaller than its divisor")
        names = self.unknowns("num", count)
        constraints = [eq(mod(x, m), r) for x in names]
        constraints += [lt(a, b) for a, b in zip(names, names[1:], strict=False)]
        constraints.append(eq(mod(add(*names), k), s))
        return Part.from_ports(
            constraints, Port("numbers", "the congruent numbers", tuple(names), 1, bound,
                              item="number {k} in increasing order", first=1)
        )


def prime_factors(n: int) -> list[int]:
    """The distinct primes dividing n, increasing.

    Example: prime_factors(360) -> [2, 3, 5]
    """
    out, d = [], 2
    while d * d <= n:
        if n % d == 0:
            out.append(d)
            while n % d == 0:
                n //= d
        d += 1
    return out + ([n] if n > 1 else [])


@register
class Divisibility(Gadget):
    """Two numbers with a prescribed gcd and lcm, neither dividing the other.

    With a = g*p and b = g*q, gcd(a, b) = g and lcm(a, b) = l hold exactly when
    p*q = l/g and no prime of l/g divides both p and q: no quantifier needed.
    """

    domain = "divisibility"
    prefix = "divis_"
    sentences = (
        "Find two whole numbers, the smaller one first and neither dividing the other, whose "
        "greatest common divisor is {g} and whose least common multiple is {l}.",
        "Pick a pair of integers a < b, where a does not divide b, with gcd(a, b) = {g} and "
        "lcm(a, b) = {l}.",
    )
    fields = {"g": INT, "l": INT}

    def sample(self, rng: random.Random) -> Params:
        primes = rng.sample([2, 3, 5, 7], rng.randint(2, 3))
        cofactor = 1
        for p in primes:
            cofactor *= p ** rng.randint(1, 2 if p < 5 else 1)
        g = max(1, min(rng.randint(1, 6), 400 // cofactor))
        return {"g": g, "l": g * cofactor}

    def build(self, params: Params) -> Part:
        g, lcm = params["g"], params["l"]
        if not (1 <= g < lcm <= 10000 and lcm % g == 0):
            raise ValueError("the lcm must be a larger multiple of the gcd")
        cofactor = lcm // g
        a, b, p, q = "divis_a", "divis_b", "divis_p", "divis_q"
        constraints: list[Term] = [
            eq(a, mul(g, p)), eq(b, mul(g, q)), eq(mul(p, q), cofactor), lt(a, b),
            gt(p, 1), gt(q, 1),
        ]
        constraints += [not_(and_(eq(mod(p, d), 0), eq(mod(q, d), 0)))
                        for d in prime_factors(cofactor)]
        return Part.from_ports(
            constraints,
            Port("pair", "the numbers of the gcd-lcm pair", (a, b), g, lcm,
                 items=("the smaller number of the pair", "the larger number of the pair")),
            Port("cofactors", "the cofactors over the gcd", (p, q), 1, cofactor,
                 items=("the smaller number over the gcd", "the larger number over the gcd")),
            comments=["divis_a = gcd * divis_p and divis_b = gcd * divis_q, cofactors coprime"],
        )


@register
class DigitRepresentation(Gadget):
    """A number written with a fixed count of digits in a base, with a digit sum and a floor."""

    domain = "digit_representation"
    prefix = "radix_"
    sentences = (
        "A number is written with exactly {length} digits in base {base}, the leading digit not "
        "zero; its digits add up to {s} and its value is at least {lo}.",
        "Write a whole number of at least {lo} as a {length}-digit numeral in base {base}, with "
        "no leading zero and a digit sum of {s}.",
    )
    fields = {"length": INT, "base": INT, "s": INT, "lo": INT}

    def sample(self, rng: random.Random) -> Params:
        base, length = rng.randint(2, 9), rng.randint(3, 5)
        digits = [rng.randint(1, base - 1)] + [rng.randrange(base) for _ in range(length - 1)]
        value = sum(d * base ** (length - 1 - i) for i, d in enumerate(digits))
        lo = rng.randint(base ** (length - 1), value)
        return {"length": length, "base": base, "s": sum(digits), "lo": lo}

    def build(self, params: Params) -> Part:
        length, base, s, lo = params["length"], params["base"], params["s"], params["lo"]
        if not (1 <= length <= 8 and 2 <= base <= 16 and s >= 0 and lo >= 0):
            raise ValueError("numeral out of range")
        digits = self.unknowns("digit", length)
        value = "radix_value"
        places = [mul(base ** (length - 1 - i), d) for i, d in enumerate(digits)]
        low, high = base ** (length - 1), base**length - 1
        return Part(
            variables=[IntVar(d, 1 if i == 0 else 0, base - 1) for i, d in enumerate(digits)]
            + [IntVar(value, low, high)],
            constraints=[eq(value, add(*places)), eq(add(*digits), s), ge(value, lo)],
            ports=[
                Port("digits", "the numeral digits", tuple(digits), 0, base - 1,
                     item="digit {k} from the left", first=1),
                Port("value", "the represented values", (value,), low, high,
                     item="the value of the numeral"),
            ],
            comments=["radix_digit0 is the leading digit"],
        )
