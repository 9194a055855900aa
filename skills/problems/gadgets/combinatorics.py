"""Gadgets for graph and scheduling domains (exemplars for the rest)."""

from __future__ import annotations

import random

from skills.problems.codecs import INT, INTS, PAIRS
from skills.problems.gadget import Gadget, IntVar, Params, Part, Port
from skills.problems.registry import register
from skills.problems.terms import add, le, ne, or_


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
        names = [f"colour_v{i}" for i in range(n)]
        constraints = [ne(names[a], names[b]) for a, b in params["edges"]]
        return Part(
            variables=[IntVar(x, 0, c - 1) for x in names],
            constraints=constraints,
            ports=[Port("colours", "the vertex colours", tuple(names), 0, c - 1)],
        )


@register
class Scheduling(Gadget):
    domain = "scheduling"
    prefix = "start_"
    sentences = (
        "One machine runs jobs with durations {durations}, one job at a time and without "
        "interruption, starting at whole-number times from 0 and all finishing by time {h}.",
        "Schedule jobs of durations {durations} on a single machine with no overlap; start "
        "times are whole numbers from 0 and every job must be finished by time {h}.",
    )
    fields = {"durations": INTS, "h": INT}

    def sample(self, rng: random.Random) -> Params:
        durations = [rng.randint(1, 4) for _ in range(rng.randint(3, 5))]
        slack = rng.randint(-1, 4)
        return {"durations": durations, "h": max(max(durations), sum(durations) + slack)}

    def build(self, params: Params) -> Part:
        durations, h = params["durations"], params["h"]
        if not (1 <= len(durations) <= 12 and all(d >= 1 for d in durations) and h >= 1):
            raise ValueError("bad schedule")
        names = [f"start_job{i}" for i in range(len(durations))]
        constraints = []
        for i, (si, di) in enumerate(zip(names, durations, strict=True)):
            for sj, dj in zip(names[i + 1 :], durations[i + 1 :], strict=True):
                constraints.append(or_(le(add(si, di), sj), le(add(sj, dj), si)))
        return Part(
            variables=[IntVar(s, 0, max(0, h - d)) for s, d in zip(names, durations, strict=True)],
            constraints=constraints,
            ports=[Port("starts", "the job start times", tuple(names), 0, h)],
        )
