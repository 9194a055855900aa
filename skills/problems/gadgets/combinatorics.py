"""Gadgets for counting domains: partitions, derangements, change ringing, urn probabilities.

Each gadget fixes one combinatorial object by its parts (partition parts, where each item
goes, the bells in each row, how many balls of each kind) and states its defining rule as
constraints on them; those unknowns are the ports. Trade-off: the objects are found, not
counted: "how many" questions are out of reach of a satisfiability check, so each domain asks
for one object with the property instead, kept tiny (up to a dozen parts, five bells).
"""

from __future__ import annotations

import math
import random

from retrolean.skills.problems.codecs import INT, INTS, PAIRS, words
from retrolean.skills.problems.gadget import Gadget, IntVar, Params, Part, Port, register
from retrolean.skills.problems.gadgets.graphs import random_edges as random_edges  # its former home
from retrolean.skills.problems.terms import (
    Term,
    TermLike,
    add,
    and_,
    distinct,
    eq,
    ge,
    gt,
    mod,
    mul,
    ne,
    not_,
    or_,
    sub,
)

PART_RULES = ("all different", "all odd", "allowed to repeat")


@register
class IntegerPartitions(Gadget):
    """A partition of a number into a fixed count of bounded parts, maybe distinct or odd."""

    domain = "integer_partitions"
    prefix = "intpart_"
    sentences = (
        "Write {n} as a sum of exactly {k} positive whole-number parts, listed from largest to "
        "smallest, each at most {m}, the parts being {rule}.",
        "Partition the number {n} into {k} parts, none larger than {m} and none smaller than 1, "
        "in non-increasing order, with the parts {rule}.",
    )
    fields = {"n": INT, "k": INT, "m": INT, "rule": words(*PART_RULES)}

    def sample(self, rng: random.Random) -> Params:
        rule, k = rng.choice(PART_RULES), rng.randint(3, 5)
        if rule == "all different":
            parts = rng.sample(range(1, 10), k)
        elif rule == "all odd":
            parts = [rng.choice([1, 3, 5, 7, 9]) for _ in range(k)]
        else:
            parts = [rng.randint(1, 7) for _ in range(k)]
        return {"n": sum(parts), "k": k, "m": max(parts) + rng.randint(0, 2), "rule": rule}

    def build(self, params: Params) -> Part:
        n, k, m, rule = params["n"], params["k"], params["m"], params["rule"]
        if not (1 <= k <= 12 and 1 <= m <= 1000 and n >= 1 and rule in PART_RULES):
            raise ValueError("partition out of range")
        parts = self.unknowns("part", k)
        strict = rule == "all different"
        constraints: list[Term] = [gt(a, b) if strict else ge(a, b)
                                   for a, b in zip(parts, parts[1:], strict=False)]
        if rule == "all odd":
            constraints += [eq(mod(p, 2), 1) for p in parts]
        constraints.append(eq(add(*parts), n))
        return Part.from_ports(
            constraints, Port("parts", "the partition parts", tuple(parts), 1, m,
                              item="part {k} of the partition", first=1)
        )


@register
class Derangements(Gadget):
    """A permutation with no fixed point that also avoids some forbidden pairs."""

    domain = "derangements"
    prefix = "derange_"
    sentences = (
        "{n} people, numbered from 0, draw names for a secret santa: everyone gives exactly one "
        "gift and gets exactly one, nobody draws their own name, and these giver-receiver "
        "pairs are also forbidden: {forbidden}.",
        "Find a derangement of {n} items numbered from 0, a permutation with no fixed point, "
        "where the item-to-place pairs {forbidden} are not allowed either.",
    )
    fields = {"n": INT, "forbidden": PAIRS}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(4, 6)
        pairs = [[a, b] for a in range(n) for b in range(n) if a != b]
        return {"n": n, "forbidden": sorted(rng.sample(pairs, rng.randint(1, 3)))}

    def build(self, params: Params) -> Part:
        n, forbidden = params["n"], params["forbidden"]
        if not 2 <= n <= 10:
            raise ValueError("derangement size out of range")
        if not all(0 <= a < n and 0 <= b < n for a, b in forbidden):
            raise ValueError("forbidden pair out of range")
        targets = self.unknowns("to", n)
        constraints: list[Term] = [distinct(*targets)]
        constraints += [ne(t, i) for i, t in enumerate(targets)]
        constraints += [ne(targets[a], b) for a, b in forbidden]
        return Part.from_ports(
            constraints,
            Port("targets", "the derangement targets", tuple(targets), 0, n - 1,
                 item="the target of member {k}", first=0),
            comments=["derange_to<i> is where item i goes (whom giver i draws)"],
        )


def random_change(rng: random.Random, n: int) -> list[tuple[int, int]]:
    """A non-empty set of disjoint adjacent place pairs to swap.

    Example: random_change(Random(0), 4) -> [(2, 3)]
    """
    while True:
        pairs, p = [], 0
        while p < n - 1:
            if rng.random() < 0.5:
                pairs.append((p, p + 1))
                p += 2
            else:
                p += 1
        if pairs:
            return pairs


@register
class ChangeRinging(Gadget):
    """Rows of bells from rounds, each change swapping disjoint adjacent pairs, none repeated."""

    domain = "change_ringing"
    prefix = "bell_"
    sentences = (
        "Ring {m} changes on {n} bells, starting from rounds (bells 1 to {n} in order): in each "
        "change some disjoint pairs of neighbouring bells swap places, no row is rung twice, and "
        "the last change is the row {last}.",
        "Starting from rounds on {n} bells (1 to {n} in order), find {m} changes, each swapping "
        "one or more non-overlapping adjacent pairs of bells, with no row repeated and the final "
        "row reading {last}.",
    )
    fields = {"m": INT, "n": INT, "last": INTS}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(4, 5)
        m = rng.randint(2, 4 if n == 4 else 3)
        rows = [list(range(1, n + 1))]
        while len(rows) <= m:
            row = list(rows[-1])
            for a, b in random_change(rng, n):
                row[a], row[b] = row[b], row[a]
            if row not in rows:
                rows.append(row)
        last = rows[-1]
        if rng.random() < 0.1:
            rng.shuffle(last)
        return {"m": m, "n": n, "last": last}

    def build(self, params: Params) -> Part:
        m, n, last = params["m"], params["n"], params["last"]
        if not (1 <= m <= 6 and 2 <= n <= 8 and sorted(last) == list(range(1, n + 1))):
            raise ValueError("the last row must be the bells 1 to n in some order")
        rows: list[list[TermLike]] = [list(range(1, n + 1))]
        rows += [[f"bell_r{r}p{p}" for p in range(n)] for r in range(1, m + 1)]
        constraints: list[Term] = [distinct(*row) for row in rows[1:]]
        for old, new in zip(rows, rows[1:], strict=False):
            for p in range(n):
                moves = [eq(new[p], old[p])]
                if p + 1 < n:
                    moves.append(and_(eq(new[p], old[p + 1]), eq(new[p + 1], old[p])))
                if p >= 1:
                    moves.append(and_(eq(new[p], old[p - 1]), eq(new[p - 1], old[p])))
                constraints.append(or_(*moves))
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                constraints.append(not_(and_(*[eq(x, y) for x, y in zip(a, b, strict=True)])))
        constraints += [eq(x, bell) for x, bell in zip(rows[-1], last, strict=True)]
        names = [x for row in rows[1:] for x in row]
        return Part.from_ports(
            constraints, Port("bells", "the rung bell numbers", tuple(str(x) for x in names), 1, n,
                 item="the bell in place {c} of change {r}", first=1, columns=n)
        )


@register
class DiscreteProbability(Gadget):
    """Counts of ball kinds in an urn that give a two-draw matching chance exactly."""

    domain = "discrete_probability"
    prefix = "urn_"
    sentences = (
        "An urn holds {total} balls of {kinds} kinds, at least one of each, counted from the "
        "most to the least common kind; drawing two balls at random without replacement, the "
        "chance that both are of the same kind is exactly {num}/{den}.",
        "A bag of {total} marbles comes in {kinds} types (each present, tallied from most to "
        "least plentiful), and two marbles drawn without replacement match in type with "
        "probability {num} out of {den}.",
    )
    fields = {"total": INT, "kinds": INT, "num": INT, "den": INT}

    def sample(self, rng: random.Random) -> Params:
        counts = [rng.randint(1, 9) for _ in range(rng.randint(2, 4))]
        total = sum(counts)
        same = sum(c * (c - 1) for c in counts)
        pairs = total * (total - 1)
        g = math.gcd(same, pairs)
        num, den = same // g, pairs // g
        if rng.random() < 0.1:
            num += 1
        return {"total": total, "kinds": len(counts), "num": num, "den": den}

    def build(self, params: Params) -> Part:
        total, kinds, num, den = params["total"], params["kinds"], params["num"], params["den"]
        if not (2 <= kinds <= 8 and kinds <= total <= 100 and 0 <= num <= den and den >= 1):
            raise ValueError("urn out of range")
        names = self.unknowns("n", kinds)
        same = add(*[mul(x, sub(x, 1)) for x in names])
        constraints: list[Term] = [
            eq(add(*names), total),
            eq(mul(den, same), num * total * (total - 1)),
        ]
        constraints += [ge(a, b) for a, b in zip(names, names[1:], strict=False)]
        return Part(
            variables=[IntVar(x, 1, total - kinds + 1) for x in names],
            constraints=constraints,
            ports=[Port("counts", "the ball counts by kind", tuple(names), 1, total,
                        item="the count of kind {k}", first=1)],
        )
