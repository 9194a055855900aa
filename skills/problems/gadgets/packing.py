"""Gadgets for packing domains: knapsack, subset sum, bin packing and coin change.

Each gadget chooses whole items (taken or not, put in a bin, counted as coins) against a
capacity or an exact total. The item figures another domain may share (weights, numbers on
offer, bin choices and loads, coin counts) are ports; where the English fixes a figure, tight
bounds fix the unknown, so a link constrains both sides. Trade-off: samplers find the best
packing by brute force or dynamic programming to set targets near the optimum, which keeps
instances to a handful of items.
"""

from __future__ import annotations

import itertools
import random

from retrolean.skills.problems.codecs import INT, INTS
from retrolean.skills.problems.gadget import Gadget, IntVar, Params, Part, Port, register
from retrolean.skills.problems.terms import add, eq, ge, ite, le, mul


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
        takes = self.unknowns("take", len(weights))
        ws = self.unknowns("weight", len(weights))
        constraints = [
            le(add(*[mul(t, w) for t, w in zip(takes, ws, strict=True)]), capacity),
            ge(add(*[mul(t, v) for t, v in zip(takes, values, strict=True)]), target),
        ]
        return Part(
            variables=[IntVar(t, 0, 1) for t in takes]
            + [IntVar(w, x, x) for w, x in zip(ws, weights, strict=True)],
            constraints=constraints,
            ports=[
                Port("weights", "the item weights", tuple(ws), min(weights), max(weights),
                     item="the weight of item {k}", first=1),
                Port("takes", "the knapsack packing choices", tuple(takes), 0, 1,
                     item="the packing choice of item {k}", first=1),
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
        picks = self.unknowns("pick", len(numbers))
        nums = self.unknowns("num", len(numbers))
        total = add(*[mul(p, x) for p, x in zip(picks, nums, strict=True)])
        return Part(
            variables=[IntVar(p, 0, 1) for p in picks]
            + [IntVar(x, v, v) for x, v in zip(nums, numbers, strict=True)],
            constraints=[eq(total, target)],
            ports=[
                Port("numbers", "the numbers on offer", tuple(nums), min(numbers), max(numbers),
                     item="entry {k} of the numbers on offer", first=1),
                Port("picks", "the subset picks", tuple(picks), 0, 1,
                     item="the pick (1 or 0) of entry {k} on offer", first=1),
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
        items = self.unknowns("item", len(sizes))
        loads = self.unknowns("load", bins)
        constraints = [
            eq(load, add(*[ite(eq(x, b), s, 0) for x, s in zip(items, sizes, strict=True)]))
            for b, load in enumerate(loads)
        ]
        return Part.from_ports(
            constraints,
            Port("bins", "the bins chosen for the items", tuple(items), 0, bins - 1,
                 item="the bin of piece {k}", first=1),
            Port("loads", "the bin loads", tuple(loads), 0, capacity,
                 item="the load of bin {k}", first=0),
            comments=["binpack_item<i> is the bin item i goes into"],
        )


def fewest_coins(amount: int, denoms: list[int]) -> int | None:
    """Smallest number of coins paying `amount` exactly, or None if it cannot be paid.

    Example: fewest_coins(30, [1, 10, 25]) -> 3
    """
    best = [0] + [amount + 1] * amount
    for a in range(1, amount + 1):
        for d in denoms:
            if d <= a:
                best[a] = min(best[a], best[a - d] + 1)
    return best[amount] if best[amount] <= amount else None


@register
class CoinChange(Gadget):
    """Pay an exact amount with few coins of given denominations."""

    domain = "coin_change"
    prefix = "coin_"
    sentences = (
        "Pay exactly {amount} cents with coins worth {denoms} cents each, using no more than "
        "{limit} coins in all.",
        "Make change for {amount} cents from coin denominations of {denoms} cents using at most "
        "{limit} coins altogether.",
    )
    fields = {"amount": INT, "denoms": INTS, "limit": INT}

    def sample(self, rng: random.Random) -> Params:
        denoms = sorted(rng.sample([1, 2, 3, 5, 10, 20, 25, 50], rng.randint(3, 4)))
        amount = rng.randint(20, 99)
        while fewest_coins(amount, denoms) is None:
            amount += 1
        limit = (fewest_coins(amount, denoms) or 1) + rng.choice([-1, 0, 0, 1, 2, 3, 4])
        return {"amount": amount, "denoms": denoms, "limit": max(1, limit)}

    def build(self, params: Params) -> Part:
        amount, denoms, limit = params["amount"], params["denoms"], params["limit"]
        if not (1 <= amount <= 1000 and 1 <= len(denoms) <= 8 and limit >= 1):
            raise ValueError("coin problem out of range")
        if not all(d >= 1 for d in denoms) or len(set(denoms)) != len(denoms):
            raise ValueError("denominations must be distinct and positive")
        names = [f"coin_n{d}" for d in denoms]
        constraints = [
            eq(add(*[mul(d, x) for d, x in zip(denoms, names, strict=True)]), amount),
            le(add(*names), limit),
        ]
        per_coin = zip(denoms, names, strict=True)
        return Part(
            variables=[IntVar(x, 0, min(limit, amount // d)) for d, x in per_coin],
            constraints=constraints,
            ports=[Port("coins", "the coin counts", tuple(names), 0, limit,
                        item="the number of coins of denomination {k}", first=1)],
        )
