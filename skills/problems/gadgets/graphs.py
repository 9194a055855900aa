"""Gadgets for graph domains: colouring, shortest paths, flows, matchings and vertex covers.

Each gadget states a small finite integer system in the term language; the quantities another
domain may share (colours, distances, flows, partners, cover indicators) are ports. Problems
usually phrased with "min" or "for all" are written without quantifiers: shortest distances
as Bellman's equations (every distance is at most each neighbour's plus the edge, and equals
one of them), a maximum flow as a flow of a given value. Trade-off: graphs are tiny (16
vertices at most, 30 for colouring) and the flow and cover samplers find the optimum
by brute force, so most instances are solvable alone and inconsistency comes mainly from
links.
"""

from __future__ import annotations

import itertools
import random

from retrolean.skills.problems.codecs import INT, INTS, PAIRS
from retrolean.skills.problems.gadget import (
    Gadget,
    IntVar,
    Params,
    Part,
    Port,
    distinct_pairs_below,
    register,
)
from retrolean.skills.problems.terms import Term, add, distinct, eq, ge, le, ne, or_, sub


def random_edges(rng: random.Random, n: int, extra: int) -> list[list[int]]:
    """A connected graph on n vertices: a random spanning tree plus `extra` edges, sorted.

    Example: random_edges(Random(1), 4, 1) -> [[0, 1], [0, 2], [1, 3], [2, 3]]
    """
    edges: set[tuple[int, int]] = set()
    for v in range(1, n):
        edges.add((rng.randrange(v), v))
    candidates = [(a, b) for a in range(n) for b in range(a + 1, n) if (a, b) not in edges]
    rng.shuffle(candidates)
    edges.update(candidates[:extra])
    return [list(e) for e in sorted(edges)]


@register
class GraphColouring(Gadget):
    """A proper colouring: every vertex one of c colours, the ends of each edge different."""

    domain = "graph_colouring"
    prefix = "colour_"
    sentences = (
        "A graph has {n} vertices, numbered from 0, and edges {edges}; every vertex gets "
        "one of {c} colours, numbered from 0, and the two ends of each edge get different "
        "colours.",
        "Properly colour the graph on {n} vertices (numbered from 0) with edges {edges} "
        "using {c} colours numbered from 0, so that adjacent vertices never share a colour.",
    )
    fields = {"n": INT, "edges": PAIRS, "c": INT}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(4, 7)
        c = rng.randint(2, 4)
        return {"n": n, "edges": random_edges(rng, n, rng.randint(0, n // 2 + c - 2)), "c": c}

    def build(self, params: Params) -> Part:
        n, c = params["n"], params["c"]
        if not (2 <= n <= 30 and 1 <= c <= n):
            raise ValueError("graph size out of range")
        names = self.unknowns("v", n)
        constraints = [ne(names[a], names[b]) for a, b in params["edges"]]
        return Part.from_ports(
            constraints, Port("colours", "the vertex colours", tuple(names), 0, c - 1,
                              item="the colour of vertex {k}", first=0)
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
        if not distinct_pairs_below(edges, n):
            raise ValueError("edge out of range")
        dist = self.unknowns("dist", n)
        reach = sum(lengths)
        constraints: list[Term] = [eq(dist[0], 0)]
        arrivals: list[list[Term]] = [[] for _ in range(n)]
        for (a, b), w in zip(edges, lengths, strict=True):
            for u, v in ((a, b), (b, a)):
                constraints.append(le(dist[v], add(dist[u], w)))
                arrivals[v].append(eq(dist[v], add(dist[u], w)))
        constraints += [or_(*arrivals[v]) for v in range(1, n)]
        return Part.from_ports(
            constraints,
            Port("distances", "the shortest distances from the source", tuple(dist), 0, reach,
                 item="the shortest distance from 0 to {k}", first=0),
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
        if not distinct_pairs_below(arcs, n):
            raise ValueError("arc out of range")
        flows = self.unknowns("arc", len(arcs))

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
            ports=[Port("flows", "the arc flows", tuple(flows), 0, max(caps),
                        item="the flow on connection {k} of the list", first=1)],
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
        partners = self.unknowns("partner", left)
        constraints: list[Term] = [distinct(*partners)]
        constraints += [or_(*[eq(p, j) for i2, j in allowed if i2 == i])
                        for i, p in enumerate(partners)]
        return Part.from_ports(
            constraints,
            Port("partners", "the matched partners", tuple(partners), 0, right - 1,
                 item="the partner matched to left-side member {k}", first=0),
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
    default_seed = 1  # seed 0's instance is inconsistent alone
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
        if not distinct_pairs_below(edges, n):
            raise ValueError("edge out of range")
        chosen = self.unknowns("in", n)
        constraints: list[Term] = [ge(add(chosen[a], chosen[b]), 1) for a, b in edges]
        constraints.append(le(add(*chosen), k))
        return Part.from_ports(
            constraints,
            Port("chosen", "the vertex cover indicators", tuple(chosen), 0, 1,
                 item="the cover indicator of vertex {k}", first=0),
            comments=["vcover_in<v> is 1 when vertex v is in the cover"],
        )
