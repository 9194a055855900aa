"""Gadgets for puzzle domains: n queens, cryptarithms and Nim.

Each puzzle is stated over a handful of bounded integer unknowns the way its own players count
(the queen's column in each row, a digit per letter with carries per column, heap sizes in
binary); those unknowns are the ports. Samples mostly start from a known solution, sometimes
disturbed, so most solo instances are solvable while links can make a combination
inconsistent. Concession: sizes stay tiny (boards up to 10, heaps up to 15) so Z3 answers in
milliseconds and Lean's `decide` can check a witness.
"""

from __future__ import annotations

import random

from retrolean.skills.problems.codecs import INT, INTS, PAIRS, words
from retrolean.skills.problems.gadget import Gadget, IntVar, Params, Part, Port, register
from retrolean.skills.problems.terms import (
    Term,
    TermLike,
    add,
    count_true,
    distinct,
    eq,
    ge,
    le,
    lt,
    mod,
    mul,
    ne,
    sub,
)


def queen_solutions(n: int) -> list[list[int]]:
    """Every placement of n non-attacking queens, as the column of the queen in each row.

    Example: queen_solutions(4) -> [[1, 3, 0, 2], [2, 0, 3, 1]]
    """
    out: list[list[int]] = []

    def extend(cols: list[int]) -> None:
        """Place queens in the remaining rows after the columns chosen so far."""
        if len(cols) == n:
            out.append(list(cols))
            return
        row = len(cols)
        for c in range(n):
            if all(c != q and abs(c - q) != row - r for r, q in enumerate(cols)):
                extend(cols + [c])

    extend([])
    return out


@register
class NQueens(Gadget):
    """Non-attacking queens, one per row, around a few queens already placed."""

    domain = "n_queens"
    prefix = "queen_"
    sentences = (
        "Place one queen in each row of a chessboard with {n} rows and {n} columns, numbered from "
        "0, so that no two queens share a column or a diagonal, keeping the queens already "
        "standing on the row-column squares {fixed}.",
        "Solve the {n}-queens puzzle on the {n} by {n} chessboard (rows and columns from 0) with "
        "queens pre-placed at row-column squares {fixed}, no two queens on a common column or "
        "diagonal.",
    )
    fields = {"n": INT, "fixed": PAIRS}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(4, 8)
        cols = rng.choice(queen_solutions(n))
        rows = sorted(rng.sample(range(n), rng.randint(1, 2)))
        fixed = [[r, cols[r]] for r in rows]
        if rng.random() < 0.15:
            fixed[0][1] = rng.randrange(n)
        return {"n": n, "fixed": fixed}

    def build(self, params: Params) -> Part:
        n, fixed = params["n"], params["fixed"]
        if not 1 <= n <= 10:
            raise ValueError("board size out of range")
        if not all(0 <= r < n and 0 <= c < n for r, c in fixed):
            raise ValueError("fixed queen off the board")
        names = self.unknowns("r", n)
        constraints: list[Term] = [distinct(*names)]
        for i in range(n):
            for j in range(i + 1, n):
                constraints += [ne(sub(names[j], names[i]), j - i),
                                ne(sub(names[i], names[j]), j - i)]
        constraints += [eq(names[r], c) for r, c in fixed]
        return Part.from_ports(
            constraints, Port("columns", "the queen columns", tuple(names), 0, n - 1,
                              item="the column of the queen in row {k}", first=0)
        )


PUZZLES = (
    "SEND + MORE = MONEY", "TO + GO = OUT", "ODD + ODD = EVEN", "TWO + TWO = FOUR",
    "ONE + ONE = TWO", "EAT + THAT = APPLE", "BASE + BALL = GAMES", "NO + NO = YES",
    "I + BB = ILL", "COCA + COLA = OASIS",
    "DAYS + TOO = SHORT", "HE + SHE = HER", "ABLE + ABLE = HAND", "WRONG + WRONG = RIGHT",
    "HOT + HOT = COLD", "TOM + NAG = GOAT", "SUN + FUN = SWIM", "NINE + FINE = WIVES",
)


def split_sum(puzzle: str) -> tuple[list[str], str]:
    """The addends and the result of a written sum.

    Example: split_sum("TO + GO = OUT") -> (["TO", "GO"], "OUT")
    """
    left, right = (s.strip() for s in puzzle.split("="))
    return [w.strip() for w in left.split("+")], right


@register
class Cryptarithms(Gadget):
    """A letter sum in which different letters are different digits, checked column by column."""

    domain = "cryptarithms"
    prefix = "crypt_"
    sentences = (
        "Solve the cryptarithm {puzzle}: each letter stands for a different decimal figure from "
        "0 to 9, the same letter always for the same one, and no number starts with 0.",
        "In the alphametic {puzzle}, replace letters by the figures 0 to 9, different letters by "
        "different figures and leading letters by nonzero ones, so that the addition is correct.",
    )
    fields = {"puzzle": words(*PUZZLES)}

    def sample(self, rng: random.Random) -> Params:
        return {"puzzle": rng.choice(PUZZLES)}

    def build(self, params: Params) -> Part:
        addends, result = split_sum(params["puzzle"])
        width = max(len(w) for w in addends)
        letters = sorted(set("".join(addends) + result))
        if not (len(addends) >= 2 and width <= len(result) <= width + 1 and len(letters) <= 10):
            raise ValueError("not a small letter sum")
        name = {ch: f"crypt_{ch.lower()}" for ch in letters}
        carries = self.unknowns("carry", width - 1)
        carry_out: list[TermLike] = [*carries, name[result[0]] if len(result) > width else 0]
        constraints: list[Term] = [distinct(*name.values())]
        constraints += [ge(name[w[0]], 1) for w in sorted({*addends, result}) if len(w) > 1]
        for k in range(width):
            column = [name[w[-1 - k]] for w in addends if k < len(w)]
            carry_in = [carries[k - 1]] if k else []
            constraints.append(eq(add(*column, *carry_in),
                                  add(name[result[-1 - k]], mul(10, carry_out[k]))))
        letter_vars = [name[ch] for ch in letters]
        return Part(
            variables=[IntVar(x, 0, 9) for x in letter_vars]
            + [IntVar(c, 0, len(addends) - 1) for c in carries],
            constraints=constraints,
            ports=[Port("letters", "the letter digits", tuple(letter_vars), 0, 9)],
            comments=[f"letters {' '.join(letters)}; carries from the units column leftward"],
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
        starts = self.unknowns("heap", len(heaps))
        afters = self.unknowns("after", len(heaps))
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
                Port("heaps", "the starting heap sizes", tuple(starts), 1, max(heaps),
                     item="the size of heap {k} before the move", first=1),
                Port("after", "the heap sizes after the move", tuple(afters), 0, max(heaps),
                     item="the size of heap {k} after the move", first=1),
            ],
            comments=["nim_bit<i>_<b> is binary digit b of heap i after the move"],
        )
