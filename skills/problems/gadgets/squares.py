"""Gadgets for square grids of numbers: 3x3 magic squares and Latin squares.

Cells are unknowns named by row and column; the entries (and the magic constant, the first
row) are ports. Trade-off: magic squares stay 3x3, where Lucas's form lists every square and
lets the sampler pick a top-left entry that some square really has; Latin squares stay at
order 5 or less so the row and column `distinct` constraints stay small.
"""

from __future__ import annotations

import random

from retrolean.skills.problems.codecs import INT, PAIRS
from retrolean.skills.problems.gadget import Gadget, IntVar, Params, Part, Port, register
from retrolean.skills.problems.terms import add, distinct, eq


def lucas_square(c: int, a: int, b: int) -> list[int]:
    """The 3x3 magic square with centre c in Lucas's form, row by row.

    Example: lucas_square(5, 3, 1) -> [4, 9, 2, 3, 5, 7, 8, 1, 6]
    """
    return [c - b, c + a + b, c - a, c - a + b, c, c + a - b, c + a, c - a - b, c + b]


def magic_corners(lo: int, hi: int) -> list[int]:
    """Top-left entries of the 3x3 magic squares of distinct numbers in [lo, hi], sorted.

    Example: magic_corners(1, 9) -> [2, 4, 6, 8]
    """
    span = hi - lo
    corners = set()
    for c in range(lo, hi + 1):
        for a in range(-span, span + 1):
            for b in range(-span, span + 1):
                cells = lucas_square(c, a, b)
                if len(set(cells)) == 9 and lo <= min(cells) and max(cells) <= hi:
                    corners.add(cells[0])
    return sorted(corners)


@register
class MagicSquares(Gadget):
    """A 3x3 magic square of distinct numbers in a range, with a given top-left entry."""

    domain = "magic_squares"
    prefix = "magic_"
    default_seed = 1  # seed 0's instance is inconsistent alone
    sentences = (
        "Fill a 3-by-3 magic square with nine different whole numbers between {lo} and {hi}, "
        "so that every row, every column and both diagonals add up to the same total, with "
        "{corner} in the top-left corner.",
        "Build a 3x3 magic square from nine distinct integers in the range {lo} to {hi} whose "
        "top-left entry is {corner}, all rows, columns and the two diagonals summing to one "
        "common magic constant.",
    )
    fields = {"lo": INT, "hi": INT, "corner": INT}

    def sample(self, rng: random.Random) -> Params:
        lo = rng.randint(1, 6)
        hi = lo + 8 + rng.randint(0, 6)
        corners = magic_corners(lo, hi)
        corner = rng.choice(corners) if rng.random() < 0.85 else rng.randint(lo, hi)
        return {"lo": lo, "hi": hi, "corner": corner}

    def build(self, params: Params) -> Part:
        lo, hi, corner = params["lo"], params["hi"], params["corner"]
        if not (lo >= 0 and lo + 8 <= hi <= lo + 60 and lo <= corner <= hi):
            raise ValueError("a magic square needs nine numbers in range and a corner among them")
        cells = [[f"magic_cell{r}{c}" for c in range(3)] for r in range(3)]
        total = "magic_total"
        lines = [*cells, *[list(col) for col in zip(*cells, strict=True)],
                 [cells[i][i] for i in range(3)], [cells[i][2 - i] for i in range(3)]]
        flat = [x for row in cells for x in row]
        constraints = [distinct(*flat), eq(cells[0][0], corner)]
        constraints += [eq(add(*line), total) for line in lines]
        return Part.from_ports(
            constraints,
            Port("entries", "the magic square entries", tuple(flat), lo, hi,
                 item="the entry in row {r}, column {c} of the magic square", first=1, columns=3),
            Port("total", "the magic constants", (total,), 3 * lo, 3 * hi, item="the magic total"),
        )


def random_latin_square(rng: random.Random, n: int) -> list[list[int]]:
    """A Latin square on symbols 1..n: the addition table mod n, rows, columns, symbols shuffled.

    Example: random_latin_square(Random(0), 3) -> [[3, 2, 1], [2, 1, 3], [1, 3, 2]]
    """
    rows, cols, symbols = list(range(n)), list(range(n)), list(range(1, n + 1))
    for xs in (rows, cols, symbols):
        rng.shuffle(xs)
    return [[symbols[(rows[i] + cols[j]) % n] for j in range(n)] for i in range(n)]


@register
class LatinSquares(Gadget):
    """Complete a Latin square: each symbol once per row and per column, some cells given."""

    domain = "latin_squares"
    prefix = "latin_"
    sentences = (
        "Fill a {n}-by-{n} Latin square with the symbols 1 to {n} so that no symbol repeats in "
        "any row or column, given the cells {givens} (written cell-symbol, cells numbered row "
        "by row from 0).",
        "Complete the Latin square of order {n}, each row and each column holding every symbol "
        "from 1 to {n} exactly once, where the prefilled cell-symbol pairs (cells counted row "
        "by row from 0) are {givens}.",
    )
    fields = {"n": INT, "givens": PAIRS}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(3, 4)
        square = random_latin_square(rng, n)
        cells = sorted(rng.sample(range(n * n), rng.randint(2, n)))
        return {"n": n, "givens": [[c, square[c // n][c % n]] for c in cells]}

    def build(self, params: Params) -> Part:
        n, givens = params["n"], params["givens"]
        if not 2 <= n <= 5:
            raise ValueError("Latin square order out of range")
        if not all(0 <= c < n * n and 1 <= s <= n for c, s in givens):
            raise ValueError("given cell or symbol out of range")
        if len({c for c, _ in givens}) != len(givens):
            raise ValueError("a cell is given twice")
        cells = [[f"latin_cell{r}{c}" for c in range(n)] for r in range(n)]
        flat = [x for row in cells for x in row]
        constraints = [distinct(*row) for row in cells]
        constraints += [distinct(*col) for col in zip(*cells, strict=True)]
        constraints += [eq(flat[c], s) for c, s in givens]
        return Part(
            variables=[IntVar(x, 1, n) for x in flat],
            constraints=constraints,
            ports=[
                Port("cells", "the Latin square cells", tuple(flat), 1, n,
                     item="the symbol in row {r}, column {c}", first=0, columns=n),
                Port("first_row", "the first-row symbols of the Latin square",
                     tuple(cells[0]), 1, n, item="the first-row symbol in column {k}", first=0),
            ],
        )
