"""Gadgets for discrete domains: special numbers, sequences, permutations, graphs, games.

Each gadget states a small finite integer system in the term language; the
quantities another domain may share (hypotenuses, distances, flows, heap sizes)
are unknowns exposed as ports. Graph problems that are usually phrased with
"min" or "for all" are written without quantifiers: shortest distances as
Bellman's equations (every distance is at most each neighbour's plus the edge,
and equals one of them), Nim's zero nim-sum through binary digits with an even
count of ones per position. Trade-off: instances are tiny (about 16 unknowns at
most) and samplers start from a hidden solution or a brute-force check, so most
instances are solvable alone and inconsistency comes mainly from links.
"""

from __future__ import annotations

import itertools
import math
import random

from skills.problems.codecs import INT, INTS, PAIRS, words
from skills.problems.gadget import Gadget, IntVar, Params, Part, Port
from skills.problems.gadgets.combinatorics import random_edges
from skills.problems.registry import register
from skills.problems.terms import (
    Term,
    add,
    count_true,
    distinct,
    eq,
    ge,
    gt,
    le,
    lt,
    mod,
    mul,
    ne,
    or_,
    sub,
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
        legs_a = [f"pyth_a{i}" for i in range(count)]
        legs_b = [f"pyth_b{i}" for i in range(count)]
        hyps = [f"pyth_c{i}" for i in range(count)]
        constraints: list[Term] = []
        for a, b, c in zip(legs_a, legs_b, hyps, strict=True):
            constraints += [lt(a, b), lt(b, c), eq(add(mul(a, a), mul(b, b)), mul(c, c))]
        constraints += [lt(c, d) for c, d in zip(hyps, hyps[1:], strict=False)]
        return Part(
            variables=[IntVar(x, 1, bound - 1) for x in legs_a + legs_b]
            + [IntVar(c, 5, bound) for c in hyps],
            constraints=constraints,
            ports=[
                Port("hypotenuses", "the triangle hypotenuses", tuple(hyps), 5, bound),
                Port("short_legs", "the shorter triangle legs", tuple(legs_a), 1, bound - 1),
            ],
        )


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
        terms = [f"arithprog_term{i}" for i in range(count)]
        step = "arithprog_step"
        constraints = [eq(b, add(a, step)) for a, b in zip(terms, terms[1:], strict=False)]
        constraints.append(eq(add(*terms), total))
        max_step = (hi - lo) // (count - 1)
        return Part(
            variables=[IntVar(t, lo, hi) for t in terms] + [IntVar(step, 1, max_step)],
            constraints=constraints,
            ports=[
                Port("terms", "the progression terms", tuple(terms), lo, hi),
                Port("step", "the progression steps", (step,), 1, max_step),
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
        roots = [f"square_root{i}" for i in range(count)]
        nums = [f"square_num{i}" for i in range(count)]
        constraints: list[Term] = [eq(n, mul(r, r)) for n, r in zip(nums, roots, strict=True)]
        constraints += [lt(a, b) for a, b in zip(roots, roots[1:], strict=False)]
        constraints.append(eq(add(*nums), total))
        return Part(
            variables=[IntVar(r, root_lo, root_hi) for r in roots]
            + [IntVar(n, lo, hi) for n in nums],
            constraints=constraints,
            ports=[
                Port("squares", "the perfect squares", tuple(nums), lo, hi),
                Port("roots", "the square roots", tuple(roots), root_lo, root_hi),
            ],
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
        parts = [f"intpart_part{i}" for i in range(k)]
        strict = rule == "all different"
        constraints: list[Term] = [gt(a, b) if strict else ge(a, b)
                                   for a, b in zip(parts, parts[1:], strict=False)]
        if rule == "all odd":
            constraints += [eq(mod(p, 2), 1) for p in parts]
        constraints.append(eq(add(*parts), n))
        return Part(
            variables=[IntVar(p, 1, m) for p in parts],
            constraints=constraints,
            ports=[Port("parts", "the partition parts", tuple(parts), 1, m)],
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
        targets = [f"derange_to{i}" for i in range(n)]
        constraints: list[Term] = [distinct(*targets)]
        constraints += [ne(t, i) for i, t in enumerate(targets)]
        constraints += [ne(targets[a], b) for a, b in forbidden]
        return Part(
            variables=[IntVar(t, 0, n - 1) for t in targets],
            constraints=constraints,
            ports=[Port("targets", "the derangement targets", tuple(targets), 0, n - 1)],
            comments=["derange_to<i> is where item i goes (whom giver i draws)"],
        )


@register
class ShortestPaths(Gadget):
    """Shortest distances from vertex 0 in a weighted graph, as Bellman's equations."""

    domain = "shortest_paths"
    prefix = "shortest_"
    sentences = (
        "Roads join {n} towns numbered from 0: the roads {edges} have lengths {lengths} "
        "respectively, and each town's shortest road distance from town 0 is to be found.",
        "In the weighted graph on {n} vertices numbered from 0 with edges {edges} of lengths "
        "{lengths} (in that order), determine the length of the shortest path from vertex 0 "
        "to every vertex.",
    )
    fields = {"n": INT, "edges": PAIRS, "lengths": INTS}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(5, 7)
        edges = random_edges(rng, n, rng.randint(1, 3))
        return {"n": n, "edges": edges, "lengths": [rng.randint(1, 9) for _ in edges]}

    def build(self, params: Params) -> Part:
        n, edges, lengths = params["n"], params["edges"], params["lengths"]
        if not (2 <= n <= 16 and len(lengths) == len(edges) >= 1 and min(lengths) >= 1):
            raise ValueError("one positive length per edge")
        if not all(0 <= a < n and 0 <= b < n and a != b for a, b in edges):
            raise ValueError("edge out of range")
        dist = [f"shortest_dist{v}" for v in range(n)]
        reach = sum(lengths)
        constraints: list[Term] = [eq(dist[0], 0)]
        arrivals: list[list[Term]] = [[] for _ in range(n)]
        for (a, b), w in zip(edges, lengths, strict=True):
            for u, v in ((a, b), (b, a)):
                constraints.append(le(dist[v], add(dist[u], w)))
                arrivals[v].append(eq(dist[v], add(dist[u], w)))
        constraints += [or_(*arrivals[v]) for v in range(1, n)]
        return Part(
            variables=[IntVar(d, 0, reach) for d in dist],
            constraints=constraints,
            ports=[Port("distances", "the shortest distances from the source",
                        tuple(dist), 0, reach)],
            comments=["each distance is at most a neighbour's plus the edge and equals one such"],
        )


def max_flow(n: int, arcs: list[list[int]], caps: list[int]) -> int:
    """Largest flow from node 0 to node n-1 (augmenting shortest paths on a tiny network).

    Example: max_flow(3, [[0, 1], [1, 2], [0, 2]], [2, 1, 1]) -> 2
    """
    residual = [[0] * n for _ in range(n)]
    for (a, b), c in zip(arcs, caps, strict=True):
        residual[a][b] += c
    total = 0
    while True:
        parent: dict[int, int] = {0: 0}
        queue = [0]
        for u in queue:
            for v in range(n):
                if residual[u][v] > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if n - 1 not in parent:
            return total
        path, v = [], n - 1
        while v != 0:
            path.append((parent[v], v))
            v = parent[v]
        push = min(residual[u][v] for u, v in path)
        for u, v in path:
            residual[u][v] -= push
            residual[v][u] += push
        total += push


@register
class NetworkFlow(Gadget):
    """A flow of given value from node 0 to the last node, within capacities, conserved."""

    domain = "network_flow"
    prefix = "netflow_"
    sentences = (
        "A network of one-way pipes joins {n} stations numbered from 0: the pipes {arcs} carry "
        "at most {caps} units respectively; exactly {value} units must flow from station 0 to "
        "the last station, everything entering any other station leaving it again.",
        "Route a flow of value {value} through the directed network on {n} nodes numbered from "
        "0, with arcs {arcs} of capacities {caps} in that order, from node 0 (the source) to the "
        "highest-numbered node (the sink), conserving flow at every other node.",
    )
    fields = {"n": INT, "arcs": PAIRS, "caps": INTS, "value": INT}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(4, 6)
        middle = rng.sample(range(1, n - 1), rng.randint(1, n - 2))
        path = [0, *sorted(middle), n - 1]
        arcs = {(a, b) for a, b in zip(path, path[1:], strict=False)}
        others = [(a, b) for a in range(n - 1) for b in range(a + 1, n) if (a, b) not in arcs]
        arcs.update(rng.sample(others, min(len(others), rng.randint(2, 4))))
        arc_list = [list(a) for a in sorted(arcs)]
        caps = [rng.randint(1, 9) for _ in arc_list]
        best = max_flow(n, arc_list, caps)
        value = max(1, best - rng.choice([0, 0, 1, 2]))
        return {"n": n, "arcs": arc_list, "caps": caps, "value": value}

    def build(self, params: Params) -> Part:
        n, arcs, caps, value = params["n"], params["arcs"], params["caps"], params["value"]
        if not (2 <= n <= 12 and len(caps) == len(arcs) >= 1 and min(caps) >= 0 and value >= 0):
            raise ValueError("one non-negative capacity per arc")
        if not all(0 <= a < n and 0 <= b < n and a != b for a, b in arcs):
            raise ValueError("arc out of range")
        flows = [f"netflow_arc{i}" for i in range(len(arcs))]

        def net_out(v: int) -> Term:
            """Flow leaving v minus flow entering v."""
            out = [f for f, (a, _) in zip(flows, arcs, strict=True) if a == v]
            inn = [f for f, (_, b) in zip(flows, arcs, strict=True) if b == v]
            return sub(add(*out), add(*inn))

        constraints: list[Term] = [eq(net_out(v), 0) for v in range(1, n - 1)]
        constraints.append(eq(net_out(0), value))
        return Part(
            variables=[IntVar(f, 0, c) for f, c in zip(flows, caps, strict=True)],
            constraints=constraints,
            ports=[Port("flows", "the arc flows", tuple(flows), 0, max(caps))],
            comments=["netflow_arc<i> is the flow on the i-th listed arc"],
        )


@register
class BipartiteMatching(Gadget):
    """Match every left node to a different right node along allowed edges."""

    domain = "bipartite_matching"
    prefix = "bimatch_"
    sentences = (
        "Match each of {left} students to a different one of {right} projects (both numbered "
        "from 0), using only the student-project pairs {allowed}.",
        "In a bipartite graph with {left} left nodes and {right} right nodes, each numbered from "
        "0, and edges {allowed} given as left-right pairs, find a matching that covers every "
        "left node.",
    )
    fields = {"left": INT, "right": INT, "allowed": PAIRS}

    def sample(self, rng: random.Random) -> Params:
        left = rng.randint(3, 5)
        right = left + rng.randint(0, 1)
        pairs = {(i, j) for i, j in enumerate(rng.sample(range(right), left))}
        for i in range(left):
            pairs.update((i, rng.randrange(right)) for _ in range(rng.randint(0, 2)))
        return {"left": left, "right": right, "allowed": [list(p) for p in sorted(pairs)]}

    def build(self, params: Params) -> Part:
        left, right, allowed = params["left"], params["right"], params["allowed"]
        if not (1 <= left <= 12 and 1 <= right <= 12):
            raise ValueError("matching sides out of range")
        if not all(0 <= i < left and 0 <= j < right for i, j in allowed):
            raise ValueError("edge out of range")
        partners = [f"bimatch_partner{i}" for i in range(left)]
        constraints: list[Term] = [distinct(*partners)]
        constraints += [or_(*[eq(p, j) for i2, j in allowed if i2 == i])
                        for i, p in enumerate(partners)]
        return Part(
            variables=[IntVar(p, 0, right - 1) for p in partners],
            constraints=constraints,
            ports=[Port("partners", "the matched partners", tuple(partners), 0, right - 1)],
            comments=["bimatch_partner<i> is the right node matched to left node i"],
        )


def min_vertex_cover(n: int, edges: list[list[int]]) -> int:
    """Size of a smallest vertex cover (brute force over vertex subsets).

    Example: min_vertex_cover(4, [[0, 1], [1, 2], [2, 3]]) -> 2
    """
    for size in range(n + 1):
        for chosen in itertools.combinations(range(n), size):
            if all(a in chosen or b in chosen for a, b in edges):
                return size
    return n


@register
class VertexCover(Gadget):
    """Choose at most k vertices so that every edge has a chosen end."""

    domain = "vertex_cover"
    prefix = "vcover_"
    sentences = (
        "Choose at most {k} of the {n} vertices (numbered from 0) of the graph with edges "
        "{edges} so that every edge has at least one chosen end, forming a vertex cover.",
        "Find a vertex cover of size at most {k} in the graph on {n} vertices numbered from 0 "
        "whose edges are {edges}: every edge must touch a chosen vertex.",
    )
    fields = {"k": INT, "n": INT, "edges": PAIRS}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(5, 7)
        edges = random_edges(rng, n, rng.randint(1, n // 2 + 1))
        k = min_vertex_cover(n, edges) + rng.choice([-1, 0, 0, 0, 1, 1])
        return {"k": max(0, k), "n": n, "edges": edges}

    def build(self, params: Params) -> Part:
        k, n, edges = params["k"], params["n"], params["edges"]
        if not (1 <= n <= 16 and 0 <= k <= n):
            raise ValueError("vertex cover size out of range")
        if not all(0 <= a < n and 0 <= b < n and a != b for a, b in edges):
            raise ValueError("edge out of range")
        chosen = [f"vcover_in{v}" for v in range(n)]
        constraints: list[Term] = [ge(add(chosen[a], chosen[b]), 1) for a, b in edges]
        constraints.append(le(add(*chosen), k))
        return Part(
            variables=[IntVar(c, 0, 1) for c in chosen],
            constraints=constraints,
            ports=[Port("chosen", "the vertex cover indicators", tuple(chosen), 0, 1)],
            comments=["vcover_in<v> is 1 when vertex v is in the cover"],
        )


@register
class NimGames(Gadget):
    """A winning Nim move: shrink one heap so every binary digit position has an even count."""

    domain = "nim_games"
    prefix = "nim_"
    sentences = (
        "In a game of Nim with heaps of {heaps} counters, the player to move takes one or more "
        "counters from a single heap; find a move after which the nim-sum (bitwise exclusive "
        "or) of the heap sizes is zero.",
        "Find a winning Nim move from heaps of sizes {heaps}: reduce exactly one heap so that, "
        "with the sizes written in binary, every bit position holds an even number of ones.",
    )
    fields = {"heaps": INTS}

    def sample(self, rng: random.Random) -> Params:
        heaps = [rng.randint(1, 7) for _ in range(3)]
        while heaps[0] ^ heaps[1] ^ heaps[2] == 0 and rng.random() < 0.8:
            heaps = [rng.randint(1, 7) for _ in range(3)]
        return {"heaps": heaps}

    def build(self, params: Params) -> Part:
        heaps = params["heaps"]
        if not (2 <= len(heaps) <= 4 and all(1 <= h <= 15 for h in heaps)):
            raise ValueError("Nim heaps out of range")
        width = max(heaps).bit_length()
        starts = [f"nim_heap{i}" for i in range(len(heaps))]
        afters = [f"nim_after{i}" for i in range(len(heaps))]
        bits = [[f"nim_bit{i}_{b}" for b in range(width)] for i in range(len(heaps))]
        constraints: list[Term] = [le(a, s) for a, s in zip(afters, starts, strict=True)]
        constraints.append(eq(count_true([lt(a, s) for a, s in zip(afters, starts, strict=True)]),
                              1))
        constraints += [eq(a, add(*[mul(2**b, x) for b, x in enumerate(row)]))
                        for a, row in zip(afters, bits, strict=True)]
        constraints += [eq(mod(add(*[row[b] for row in bits]), 2), 0) for b in range(width)]
        return Part(
            variables=[IntVar(s, h, h) for s, h in zip(starts, heaps, strict=True)]
            + [IntVar(a, 0, h) for a, h in zip(afters, heaps, strict=True)]
            + [IntVar(x, 0, 1) for row in bits for x in row],
            constraints=constraints,
            ports=[
                Port("heaps", "the starting heap sizes", tuple(starts), 1, max(heaps)),
                Port("after", "the heap sizes after the move", tuple(afters), 0, max(heaps)),
            ],
            comments=["nim_bit<i>_<b> is binary digit b of heap i after the move"],
        )
