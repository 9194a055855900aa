"""Gadgets for puzzle and pastime domains: chessboards, alphametics, lattices, walks, elections,
verse, bells, knitting, tournaments and urns.

Each puzzle is stated over a handful of bounded integer unknowns in the way its own practitioners
count (queen columns per row, carries per column, heights of a staircase walk, round numbers of
fixtures). Samples are built from a known solution and then sometimes disturbed, so most solo
instances are solvable while links to other domains can still make a combination inconsistent.
Concession: sizes stay tiny (boards up to 8, five bells, six teams) so Z3 answers in
milliseconds and Lean's `decide` can check a witness.
"""

from __future__ import annotations

import math
import random

from skills.problems.codecs import INT, INTS, PAIRS, words
from skills.problems.gadget import Gadget, IntVar, Params, Part, Port
from skills.problems.registry import register
from skills.problems.terms import (
    Term,
    TermLike,
    add,
    and_,
    distinct,
    eq,
    ge,
    gt,
    le,
    lt,
    mod,
    mul,
    ne,
    not_,
    or_,
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
        names = [f"queen_r{i}" for i in range(n)]
        constraints: list[Term] = [distinct(*names)]
        for i in range(n):
            for j in range(i + 1, n):
                constraints += [ne(sub(names[j], names[i]), j - i),
                                ne(sub(names[i], names[j]), j - i)]
        constraints += [eq(names[r], c) for r, c in fixed]
        return Part(
            variables=[IntVar(x, 0, n - 1) for x in names],
            constraints=constraints,
            ports=[Port("columns", "the queen columns", tuple(names), 0, n - 1)],
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
        carries = [f"crypt_carry{k}" for k in range(width - 1)]
        carry_out: list[TermLike] = [*carries, name[result[0]] if len(result) > width else 0]
        constraints: list[Term] = [distinct(*name.values())]
        constraints += [ge(name[w[0]], 1) for w in {*addends, result} if len(w) > 1]
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
        if not all(0 <= a < k and 0 <= b < k and a != b for a, b in pairs):
            raise ValueError("pairs must name two different points")
        xs = [f"lattice_x{i}" for i in range(k)]
        ys = [f"lattice_y{i}" for i in range(k)]
        constraints: list[Term] = []
        for (a, b), d in zip(pairs, dists, strict=True):
            dx, dy = sub(xs[a], xs[b]), sub(ys[a], ys[b])
            constraints.append(eq(add(mul(dx, dx), mul(dy, dy)), d))
        return Part(
            variables=[IntVar(v, 0, r) for pair in zip(xs, ys, strict=True) for v in pair],
            constraints=constraints,
            ports=[
                Port("xs", "the lattice x-coordinates", tuple(xs), 0, r),
                Port("ys", "the lattice y-coordinates", tuple(ys), 0, r),
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
        names = [f"walk_h{i}" for i in range(w)]
        levels: list[TermLike] = [0, *names, h]  # column x is climbed from levels[x] to levels[x+1]
        constraints: list[Term] = [le(a, b) for a, b in zip(names, names[1:], strict=False)]
        constraints.append(eq(add(*names), area))
        for x, y in blocked:
            constraints.append(or_(lt(y, levels[x]), gt(y, levels[x + 1])))
        return Part(
            variables=[IntVar(x, 0, h) for x in names],
            constraints=constraints,
            ports=[Port("heights", "the walk step heights", tuple(names), 0, h)],
        )


@register
class VotingApportionment(Gadget):
    """Seats shared by largest remainders: quota rounded, round-ups to the biggest remainders."""

    domain = "voting_apportionment"
    prefix = "seat_"
    sentences = (
        "Share {seats} seats among parties that won {votes} votes by the largest-remainder "
        "method: each party's quota, its votes times the seats over all votes, is rounded down "
        "or up, and the round-ups go to the largest remainders.",
        "Apportion a house of {seats} seats to parties polling {votes} votes using Hamilton's "
        "method, giving every party its quota rounded down or up with the round-ups going to the "
        "biggest fractional remainders.",
    )
    fields = {"seats": INT, "votes": INTS}

    def sample(self, rng: random.Random) -> Params:
        votes = [rng.randint(20, 500) for _ in range(rng.randint(3, 5))]
        return {"seats": rng.randint(5, 20), "votes": votes}

    def build(self, params: Params) -> Part:
        seats, votes = params["seats"], params["votes"]
        if not (1 <= seats <= 500 and 2 <= len(votes) <= 10 and all(v >= 1 for v in votes)):
            raise ValueError("election out of range")
        total = sum(votes)
        names = [f"seat_p{i}" for i in range(len(votes))]
        # excess = seats*total - votes*S: the quota's rounding, scaled by the vote total
        excess = [sub(mul(total, x), v * seats) for x, v in zip(names, votes, strict=True)]
        constraints: list[Term] = [eq(add(*names), seats)]
        constraints += [and_(gt(e, -total), lt(e, total)) for e in excess]
        for i, ei in enumerate(excess):
            for j, ej in enumerate(excess):
                if i != j:
                    constraints.append(le(sub(ei, ej), total))
        return Part(
            variables=[IntVar(x, 0, seats) for x in names],
            constraints=constraints,
            ports=[Port("seats", "the party seat counts", tuple(names), 0, seats)],
        )


FEET = {"iambic": 2, "trochaic": 2, "anapestic": 3, "dactylic": 3}


@register
class PoeticMeter(Gadget):
    """Syllable and stress counts of a couplet-rhymed stanza in a fixed metre."""

    domain = "poetic_meter"
    prefix = "meter_"
    sentences = (
        "A stanza of {lines} lines in {meter} metre rhymes in couplets whose two lines have the "
        "same number of syllables; each line has between {lo} and {hi} feet, each foot carries "
        "one stress, and the stanza has {stresses} stressed syllables in all.",
        "Write {lines} lines of {meter} verse, rhymed in couplets of equal syllable count, every "
        "line {lo} to {hi} feet long with one stress per foot, totalling {stresses} stresses.",
    )
    fields = {"lines": INT, "meter": words(*FEET), "lo": INT, "hi": INT, "stresses": INT}

    def sample(self, rng: random.Random) -> Params:
        lines = rng.choice([4, 6])
        lo = rng.randint(2, 4)
        hi = lo + rng.randint(0, 2)
        stresses = sum(2 * rng.randint(lo, hi) for _ in range(lines // 2))
        if rng.random() < 0.15:
            stresses += 1
        return {"lines": lines, "meter": rng.choice(sorted(FEET)), "lo": lo, "hi": hi,
                "stresses": stresses}

    def build(self, params: Params) -> Part:
        lines, lo, hi, stresses = params["lines"], params["lo"], params["hi"], params["stresses"]
        foot = FEET[params["meter"]]
        if not (2 <= lines <= 8 and lines % 2 == 0 and 1 <= lo <= hi <= 8 and stresses >= 0):
            raise ValueError("stanza out of range")
        syllables = [f"meter_syl{i}" for i in range(lines)]
        beats = [f"meter_stress{i}" for i in range(lines)]
        pairs = zip(syllables, beats, strict=True)
        constraints: list[Term] = [eq(s, mul(foot, b)) for s, b in pairs]
        constraints += [eq(syllables[i], syllables[i + 1]) for i in range(0, lines, 2)]
        constraints.append(eq(add(*beats), stresses))
        return Part(
            variables=[IntVar(s, foot * lo, foot * hi) for s in syllables]
            + [IntVar(b, lo, hi) for b in beats],
            constraints=constraints,
            ports=[
                Port("syllables", "the line syllable counts", tuple(syllables), foot * lo,
                     foot * hi),
                Port("stresses", "the line stress counts", tuple(beats), lo, hi),
            ],
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
        return Part(
            variables=[IntVar(str(x), 1, n) for x in names],
            constraints=constraints,
            ports=[Port("bells", "the rung bell numbers", tuple(str(x) for x in names), 1, n)],
        )


@register
class KnittingPatterns(Gadget):
    """Panels of stitch repeats that fill a cast-on, knitted to a row where every repeat ends."""

    domain = "knitting_patterns"
    prefix = "stitch_"
    sentences = (
        "A knitted piece has side-by-side panels whose pattern repeats are {srep} stitches wide "
        "and {rrep} rows tall; with {edge} edge stitches at each side it casts on exactly "
        "{caston} stitches, every panel holds a whole number of repeats, and the piece is "
        "knitted for between {rlo} and {rhi} rows so that it ends on the last row of every "
        "panel's repeat.",
        "Knit panels with stitch repeats of {srep} stitches and row repeats of {rrep} rows, "
        "{edge} selvedge stitches on each side, {caston} stitches cast on in all, stopping after "
        "{rlo} to {rhi} rows on a row where every repeat is complete.",
    )
    fields = {"srep": INTS, "rrep": INTS, "edge": INT, "caston": INT, "rlo": INT, "rhi": INT}

    def sample(self, rng: random.Random) -> Params:
        panels = rng.randint(2, 3)
        srep = [rng.randint(2, 8) for _ in range(panels)]
        rrep = [rng.choice([2, 3, 4, 6, 8]) for _ in range(panels)]
        edge = rng.randint(1, 3)
        caston = 2 * edge + sum(s * rng.randint(1, 4) for s in srep)
        period = math.lcm(*rrep)
        rlo = rng.randint(10, 60)
        return {"srep": srep, "rrep": rrep, "edge": edge, "caston": caston, "rlo": rlo,
                "rhi": rlo + rng.randint(period // 2, period + 8)}

    def build(self, params: Params) -> Part:
        srep, rrep, edge = params["srep"], params["rrep"], params["edge"]
        caston, rlo, rhi = params["caston"], params["rlo"], params["rhi"]
        if not (1 <= len(srep) == len(rrep) <= 6 and edge >= 0 and 1 <= rlo <= rhi <= 2000):
            raise ValueError("knitting pattern out of range")
        if not (all(s >= 1 for s in srep) and all(r >= 1 for r in rrep) and caston <= 2000):
            raise ValueError("repeats must be positive")
        names = [f"stitch_reps{i}" for i in range(len(srep))]
        constraints: list[Term] = [
            eq(add(2 * edge, *[mul(s, x) for s, x in zip(srep, names, strict=True)]), caston)
        ]
        constraints += [eq(mod("stitch_rows", r), 0) for r in rrep]
        most = max(1, caston // min(srep))
        panels = zip(srep, names, strict=True)
        return Part(
            variables=[IntVar(x, 1, max(1, caston // s)) for s, x in panels]
            + [IntVar("stitch_rows", rlo, rhi)],
            constraints=constraints,
            ports=[
                Port("repeats", "the panel repeat counts", tuple(names), 1, most),
                Port("rows", "the knitted row totals", ("stitch_rows",), rlo, rhi),
            ],
        )


def round_robin(n: int, rng: random.Random) -> dict[tuple[int, int], int]:
    """A random round-robin timetable by the circle method: round of each pair a < b.

    Example: round_robin(4, Random(0)) -> {(2, 3): 0, (0, 1): 0, (1, 2): 2, (0, 3): 2, …}
    """
    size = n + n % 2  # an odd field gets a phantom team; meeting it is a bye
    teams = list(range(size))
    rng.shuffle(teams)
    rounds = list(range(size - 1))
    rng.shuffle(rounds)
    out: dict[tuple[int, int], int] = {}
    ring = teams[1:]
    for r in rounds:
        line = [teams[0], *ring]
        for i in range(size // 2):
            a, b = sorted((line[i], line[size - 1 - i]))
            if b < n:
                out[(a, b)] = r
        ring = ring[-1:] + ring[:-1]
    return out


@register
class RoundRobinTournaments(Gadget):
    """The round of every pairing in a round robin, a few pairings fixed in advance."""

    domain = "round_robin_tournaments"
    prefix = "fixture_"
    sentences = (
        "In a round robin of {n} teams, numbered from 0, every pair of teams meets once and no "
        "team plays twice in a round, over the fewest rounds possible (numbered from 0, one "
        "fewer than the teams when they are even, as many as the teams when odd); the pairings "
        "{fixed} are already set for rounds {rounds} respectively.",
        "Draw up a single round-robin fixture list for {n} teams (numbered from 0) over the fewest "
        "possible rounds, numbered from 0, where each team meets every other exactly once and "
        "plays at most once per round, and the games {fixed} fall in rounds {rounds}.",
    )
    fields = {"n": INT, "fixed": PAIRS, "rounds": INTS}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(4, 6)
        table = round_robin(n, rng)
        fixed = sorted(rng.sample(sorted(table), rng.randint(2, 3)))
        rounds = [table[a, b] for a, b in fixed]
        if rng.random() < 0.15:
            rounds[-1] = rng.randrange(n - 1 + n % 2)
        return {"n": n, "fixed": [list(p) for p in fixed], "rounds": rounds}

    def build(self, params: Params) -> Part:
        n, fixed, rounds = params["n"], params["fixed"], params["rounds"]
        if not (3 <= n <= 6 and len(fixed) == len(rounds)):
            raise ValueError("tournament out of range")
        last = n - 2 + n % 2
        if not all(0 <= a < b < n for a, b in fixed) or not all(0 <= r <= last for r in rounds):
            raise ValueError("fixed pairings must be teams a < b and valid rounds")
        name = {(a, b): f"fixture_{a}_{b}" for a in range(n) for b in range(a + 1, n)}
        constraints: list[Term] = []
        for t in range(n):
            constraints.append(distinct(*[x for pair, x in name.items() if t in pair]))
        constraints += [eq(name[a, b], r) for (a, b), r in zip(fixed, rounds, strict=True)]
        names = list(name.values())
        return Part(
            variables=[IntVar(x, 0, last) for x in names],
            constraints=constraints,
            ports=[Port("rounds", "the fixture rounds", tuple(names), 0, last)],
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
        names = [f"urn_n{i}" for i in range(kinds)]
        same = add(*[mul(x, sub(x, 1)) for x in names])
        constraints: list[Term] = [
            eq(add(*names), total),
            eq(mul(den, same), num * total * (total - 1)),
        ]
        constraints += [ge(a, b) for a, b in zip(names, names[1:], strict=False)]
        return Part(
            variables=[IntVar(x, 1, total - kinds + 1) for x in names],
            constraints=constraints,
            ports=[Port("counts", "the ball counts by kind", tuple(names), 1, total)],
        )
