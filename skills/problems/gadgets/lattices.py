"""Gadgets for lattice domains: points on a geoboard and staircase walks on the grid.

Coordinates and step heights are bounded whole-number unknowns and the ports; distances are
compared squared, so no square root is needed. Samples are drawn from a hidden configuration
and sometimes disturbed, so most solo instances are solvable. Trade-off: grids stay small
(up to 20 by 20, at most eight points) because squared distances make the system non-linear.
"""

from __future__ import annotations

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
from retrolean.skills.problems.terms import Term, TermLike, add, eq, gt, le, lt, mul, or_, sub


@register
class LatticeGeometry(Gadget):
    """Points with whole-number coordinates at prescribed squared distances."""

    domain = "lattice_geometry"
    prefix = "lattice_"
    sentences = (
        "Place {k} points, numbered from 0, at lattice points whose two coordinates are whole "
        "numbers from 0 to {r}, so that the point pairs {pairs} lie at squared distances {dists} "
        "respectively.",
        "On a geoboard of pegs (x, y) with x and y whole numbers from 0 to {r}, put {k} numbered "
        "points (from 0) on pegs so that for the point pairs {pairs} the squared Euclidean "
        "distances are {dists}, in that order.",
    )
    fields = {"k": INT, "r": INT, "pairs": PAIRS, "dists": INTS}

    def sample(self, rng: random.Random) -> Params:
        k, r = rng.randint(3, 4), rng.randint(3, 7)
        points: list[tuple[int, int]] = []
        while len(points) < k:
            p = (rng.randint(0, r), rng.randint(0, r))
            if p not in points:
                points.append(p)
        every = [[a, b] for a in range(k) for b in range(a + 1, k)]
        pairs = sorted(rng.sample(every, min(len(every), rng.randint(3, 5))))
        dists = [(points[a][0] - points[b][0]) ** 2 + (points[a][1] - points[b][1]) ** 2
                 for a, b in pairs]
        if rng.random() < 0.1:
            dists[-1] += 1
        return {"k": k, "r": r, "pairs": pairs, "dists": dists}

    def build(self, params: Params) -> Part:
        k, r, pairs, dists = params["k"], params["r"], params["pairs"], params["dists"]
        if not (2 <= k <= 8 and 1 <= r <= 20 and 1 <= len(pairs) == len(dists)):
            raise ValueError("lattice problem out of range")
        if not distinct_pairs_below(pairs, k):
            raise ValueError("pairs must name two different points")
        xs = self.unknowns("x", k)
        ys = self.unknowns("y", k)
        constraints: list[Term] = []
        for (a, b), d in zip(pairs, dists, strict=True):
            dx, dy = sub(xs[a], xs[b]), sub(ys[a], ys[b])
            constraints.append(eq(add(mul(dx, dx), mul(dy, dy)), d))
        return Part(
            variables=[IntVar(v, 0, r) for pair in zip(xs, ys, strict=True) for v in pair],
            constraints=constraints,
            ports=[
                Port("xs", "the lattice x-coordinates", tuple(xs), 0, r,
                     item="the x-coordinate of point {k}", first=0),
                Port("ys", "the lattice y-coordinates", tuple(ys), 0, r,
                     item="the y-coordinate of point {k}", first=0),
            ],
        )


@register
class GridPaths(Gadget):
    """A monotone staircase walk, given by the height of each right step, avoiding points."""

    domain = "grid_paths"
    prefix = "walk_"
    sentences = (
        "A walk on the integer grid goes from (0, 0) to ({w}, {h}) by unit steps right or up, "
        "avoids the blocked points {blocked} (given as x-y), and leaves exactly {area} unit "
        "squares between itself and the x-axis.",
        "Take a monotone staircase walk of right and up steps from the origin to the corner "
        "({w}, {h}) that skirts the x-y grid points {blocked} and has an area of {area} beneath "
        "it.",
    )
    fields = {"w": INT, "h": INT, "blocked": PAIRS, "area": INT}

    def sample(self, rng: random.Random) -> Params:
        w, h = rng.randint(3, 6), rng.randint(2, 5)
        heights = sorted(rng.randint(0, h) for _ in range(w))
        levels = [0, *heights, h]
        visited = {(x, y) for x in range(w + 1) for y in range(levels[x], levels[x + 1] + 1)}
        free = [[x, y] for x in range(w + 1) for y in range(h + 1) if (x, y) not in visited]
        blocked = sorted(rng.sample(free, min(len(free), rng.randint(1, 2))))
        area = sum(heights) if rng.random() < 0.85 else rng.randint(0, w * h)
        return {"w": w, "h": h, "blocked": blocked, "area": area}

    def build(self, params: Params) -> Part:
        w, h, blocked, area = params["w"], params["h"], params["blocked"], params["area"]
        if not (1 <= w <= 12 and 1 <= h <= 12 and 0 <= area <= w * h):
            raise ValueError("grid out of range")
        if not all(0 <= x <= w and 0 <= y <= h for x, y in blocked):
            raise ValueError("blocked point off the grid")
        names = self.unknowns("h", w)
        levels: list[TermLike] = [0, *names, h]  # column x is climbed from levels[x] to levels[x+1]
        constraints: list[Term] = [le(a, b) for a, b in zip(names, names[1:], strict=False)]
        constraints.append(eq(add(*names), area))
        for x, y in blocked:
            constraints.append(or_(lt(y, levels[x]), gt(y, levels[x + 1])))
        return Part.from_ports(
            constraints, Port("heights", "the walk step heights", tuple(names), 0, h,
                              item="the height of the walk at its step {k}", first=1)
        )
