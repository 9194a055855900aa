"""Gadgets for arithmetic domains: remainders, packing, grids of numbers, equations, digits.

Each gadget states a small finite integer system in the term language. Quantities
another domain may share (weights, numbers on offer, digits, terms of a sequence)
are unknowns; where the English fixes their values, tight bounds fix them, so a
link to another domain's port constrains both sides and can make the combination
inconsistent. Trade-off: samplers build each instance around a hidden solution
(or check it by brute force), which keeps most instances solvable alone at the
price of tiny sizes (about 16 unknowns at most) rather than realistic ones.
"""

from __future__ import annotations

import itertools
import random

from skills.problems.codecs import INT, INTS, PAIRS
from skills.problems.gadget import Gadget, IntVar, Params, Part, Port
from skills.problems.registry import register
from skills.problems.terms import (
    Term,
    add,
    and_,
    distinct,
    eq,
    ge,
    gt,
    ite,
    le,
    lt,
    mod,
    mul,
    not_,
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
        names = [f"modarith_num{i}" for i in range(count)]
        constraints = [eq(mod(x, m), r) for x in names]
        constraints += [lt(a, b) for a, b in zip(names, names[1:], strict=False)]
        constraints.append(eq(mod(add(*names), k), s))
        return Part(
            variables=[IntVar(x, 1, bound) for x in names],
            constraints=constraints,
            ports=[Port("numbers", "the congruent numbers", tuple(names), 1, bound)],
        )


def best_knapsack_value(weights: list[int], values: list[int], capacity: int) -> int:
    """Largest total value of items whose total weight fits (brute force over subsets).

    Example: best_knapsack_value([3, 4, 5], [4, 5, 7], 8) -> 11
    """
    best = 0
    for take in itertools.product((0, 1), repeat=len(weights)):
        weight = sum(w * t for w, t in zip(weights, take, strict=True))
        if weight <= capacity:
            best = max(best, sum(v * t for v, t in zip(values, take, strict=True)))
    return best


@register
class Knapsack(Gadget):
    """0/1 knapsack: take whole items within a weight capacity, reaching a value target."""

    domain = "knapsack"
    prefix = "knap_"
    sentences = (
        "A knapsack can carry a total weight of at most {capacity}; the items have weights "
        "{weights} and values {values}, each item is either packed whole or left out, and the "
        "packed items must be worth at least {target} in total.",
        "Pack a knapsack of capacity {capacity} from items of weights {weights} (with values "
        "{values}, in the same order), taking each item at most once, so that the total weight "
        "fits and the total value reaches {target} or more.",
    )
    fields = {"capacity": INT, "weights": INTS, "values": INTS, "target": INT}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(4, 6)
        weights = [rng.randint(1, 9) for _ in range(n)]
        values = [rng.randint(1, 9) for _ in range(n)]
        capacity = max(max(weights), round(sum(weights) * rng.uniform(0.35, 0.65)))
        best = best_knapsack_value(weights, values, capacity)
        target = max(1, best - rng.choice([0, 0, 1, 2, 3]))
        return {"capacity": capacity, "weights": weights, "values": values, "target": target}

    def build(self, params: Params) -> Part:
        weights, values = params["weights"], params["values"]
        capacity, target = params["capacity"], params["target"]
        if not (1 <= len(weights) <= 8 and len(values) == len(weights)):
            raise ValueError("one weight and one value per item")
        if min(weights) < 1 or min(values) < 0 or capacity < 0 or target < 0:
            raise ValueError("weights must be positive, values and limits non-negative")
        takes = [f"knap_take{i}" for i in range(len(weights))]
        ws = [f"knap_weight{i}" for i in range(len(weights))]
        constraints = [
            le(add(*[mul(t, w) for t, w in zip(takes, ws, strict=True)]), capacity),
            ge(add(*[mul(t, v) for t, v in zip(takes, values, strict=True)]), target),
        ]
        return Part(
            variables=[IntVar(t, 0, 1) for t in takes]
            + [IntVar(w, x, x) for w, x in zip(ws, weights, strict=True)],
            constraints=constraints,
            ports=[
                Port("weights", "the item weights", tuple(ws), min(weights), max(weights)),
                Port("takes", "the knapsack packing choices", tuple(takes), 0, 1),
            ],
            comments=["knap_take<i> is 1 when item i is packed"],
        )


@register
class SubsetSum(Gadget):
    """Subset sum: pick some of the listed numbers, each at most once, hitting a total."""

    domain = "subset_sum"
    prefix = "subsetsum_"
    sentences = (
        "From the numbers {numbers}, choose some (each at most once) whose sum is exactly "
        "{target}.",
        "Select a subset of the list {numbers} that adds up to exactly {target}, using each "
        "listed number no more than once.",
    )
    fields = {"numbers": INTS, "target": INT}

    def sample(self, rng: random.Random) -> Params:
        numbers = [rng.randint(2, 20) for _ in range(rng.randint(5, 7))]
        chosen = rng.sample(numbers, rng.randint(2, len(numbers) - 1))
        return {"numbers": numbers, "target": sum(chosen)}

    def build(self, params: Params) -> Part:
        numbers, target = params["numbers"], params["target"]
        if not (1 <= len(numbers) <= 8 and min(numbers) >= 1 and target >= 1):
            raise ValueError("subset sum needs positive numbers and a positive target")
        picks = [f"subsetsum_pick{i}" for i in range(len(numbers))]
        nums = [f"subsetsum_num{i}" for i in range(len(numbers))]
        total = add(*[mul(p, x) for p, x in zip(picks, nums, strict=True)])
        return Part(
            variables=[IntVar(p, 0, 1) for p in picks]
            + [IntVar(x, v, v) for x, v in zip(nums, numbers, strict=True)],
            constraints=[eq(total, target)],
            ports=[
                Port("numbers", "the numbers on offer", tuple(nums), min(numbers), max(numbers)),
                Port("picks", "the subset picks", tuple(picks), 0, 1),
            ],
            comments=["subsetsum_pick<i> is 1 when number i is chosen"],
        )


def fits_in_bins(sizes: list[int], bins: int, capacity: int) -> bool:
    """Whether the items can be spread over the bins without any bin overflowing.

    Example: fits_in_bins([4, 4, 3, 3], 2, 7) -> True
    """
    for assignment in itertools.product(range(bins), repeat=len(sizes)):
        loads = [0] * bins
        for size, b in zip(sizes, assignment, strict=True):
            loads[b] += size
        if max(loads) <= capacity:
            return True
    return False


@register
class BinPacking(Gadget):
    """Bin packing: every item goes into one of a few bins, no bin over capacity."""

    domain = "bin_packing"
    prefix = "binpack_"
    sentences = (
        "Items of sizes {sizes} go into {bins} bins, numbered from 0, each holding at most "
        "{capacity}; every item goes into exactly one bin.",
        "Pack objects with sizes {sizes} into {bins} identical bins (numbered from 0) of "
        "capacity {capacity} each, without splitting any object.",
    )
    fields = {"sizes": INTS, "bins": INT, "capacity": INT}

    def sample(self, rng: random.Random) -> Params:
        sizes = [rng.randint(1, 9) for _ in range(rng.randint(4, 6))]
        bins = rng.randint(2, 3)
        tightest = next(c for c in range(max(sizes), sum(sizes) + 1)
                        if fits_in_bins(sizes, bins, c))
        capacity = tightest + rng.choice([-1, 0, 0, 0, 1, 1, 1, 2, 2])
        return {"sizes": sizes, "bins": bins, "capacity": capacity}

    def build(self, params: Params) -> Part:
        sizes, bins, capacity = params["sizes"], params["bins"], params["capacity"]
        if not (1 <= len(sizes) <= 10 and 1 <= bins <= 5 and capacity >= 1 and min(sizes) >= 1):
            raise ValueError("bin packing out of range")
        items = [f"binpack_item{i}" for i in range(len(sizes))]
        loads = [f"binpack_load{b}" for b in range(bins)]
        constraints = [
            eq(load, add(*[ite(eq(x, b), s, 0) for x, s in zip(items, sizes, strict=True)]))
            for b, load in enumerate(loads)
        ]
        return Part(
            variables=[IntVar(x, 0, bins - 1) for x in items]
            + [IntVar(load, 0, capacity) for load in loads],
            constraints=constraints,
            ports=[
                Port("bins", "the bins chosen for the items", tuple(items), 0, bins - 1),
                Port("loads", "the bin loads", tuple(loads), 0, capacity),
            ],
            comments=["binpack_item<i> is the bin item i goes into"],
        )


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
        return Part(
            variables=[IntVar(x, lo, hi) for x in flat] + [IntVar(total, 3 * lo, 3 * hi)],
            constraints=constraints,
            ports=[
                Port("entries", "the magic square entries", tuple(flat), lo, hi),
                Port("total", "the magic constants", (total,), 3 * lo, 3 * hi),
            ],
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
                Port("cells", "the Latin square cells", tuple(flat), 1, n),
                Port("first_row", "the first-row symbols of the Latin square",
                     tuple(cells[0]), 1, n),
            ],
        )


@register
class DiophantineEquations(Gadget):
    """A pair of linear Diophantine equations (count and weighted total) in bounded unknowns."""

    domain = "diophantine_equations"
    prefix = "dioph_"
    sentences = (
        "Solve in whole numbers x, y and z, each from 0 to {bound}, the pair of Diophantine "
        "equations x + y + z = {n} and {a}x + {b}y + {c}z = {d}.",
        "Find non-negative integers x, y, z, none larger than {bound}, satisfying both "
        "Diophantine equations {a}x + {b}y + {c}z = {d} and x + y + z = {n}.",
    )
    fields = {"bound": INT, "n": INT, "a": INT, "b": INT, "c": INT, "d": INT}

    def sample(self, rng: random.Random) -> Params:
        a, b, c = rng.sample(range(2, 13), 3)
        bound = rng.randint(6, 15)
        x, y, z = (rng.randint(0, bound) for _ in range(3))
        return {"bound": bound, "n": x + y + z, "a": a, "b": b, "c": c, "d": a * x + b * y + c * z}

    def build(self, params: Params) -> Part:
        bound, n, a, b, c, d = (params[f] for f in ("bound", "n", "a", "b", "c", "d"))
        if not (1 <= bound <= 1000 and min(a, b, c) >= 1 and n >= 0 and d >= 0):
            raise ValueError("Diophantine system out of range")
        names = ["dioph_x", "dioph_y", "dioph_z"]
        return Part(
            variables=[IntVar(v, 0, bound) for v in names],
            constraints=[
                eq(add(*names), n),
                eq(add(*[mul(k, v) for k, v in zip((a, b, c), names, strict=True)]), d),
            ],
            ports=[Port("unknowns", "the Diophantine unknowns", tuple(names), 0, bound)],
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
        names = [f"recur_term{k}" for k in range(length)]
        constraints: list[Term] = [
            eq(names[k + 2], add(mul(a, names[k + 1]), mul(b, names[k])))
            for k in range(length - 2)
        ]
        constraints.append(eq(names[-1], last))
        return Part(
            variables=[IntVar(x, 0, hi) for x, hi in zip(names, highs, strict=True)],
            constraints=constraints,
            ports=[Port("terms", "the recurrence terms", tuple(names), 0, highs[-1])],
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
        return Part(
            variables=[IntVar(a, g, lcm), IntVar(b, g, lcm),
                       IntVar(p, 1, cofactor), IntVar(q, 1, cofactor)],
            constraints=constraints,
            ports=[
                Port("pair", "the numbers of the gcd-lcm pair", (a, b), g, lcm),
                Port("cofactors", "the cofactors over the gcd", (p, q), 1, cofactor),
            ],
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
        digits = [f"radix_digit{i}" for i in range(length)]
        value = "radix_value"
        places = [mul(base ** (length - 1 - i), d) for i, d in enumerate(digits)]
        low, high = base ** (length - 1), base**length - 1
        return Part(
            variables=[IntVar(d, 1 if i == 0 else 0, base - 1) for i, d in enumerate(digits)]
            + [IntVar(value, low, high)],
            constraints=[eq(value, add(*places)), eq(add(*digits), s), ge(value, lo)],
            ports=[
                Port("digits", "the numeral digits", tuple(digits), 0, base - 1),
                Port("value", "the represented values", (value,), low, high),
            ],
            comments=["radix_digit0 is the leading digit"],
        )
