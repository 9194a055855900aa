"""Gadgets for applied domains: music, chemistry, calendars, money, kitchens, logic, genetics,
traffic, bookkeeping and stock.

Each gadget keeps the domain's own structure (pitch classes mod 12, atom counts per element,
weekdays mod 7, ledger postings, stock flow) but reduces it to a small system of bounded integer
unknowns. Concession: real-world detail that does not change the arithmetic (units, names of
accounts, which allele is which) stays in the English or in comments, not in the terms.
"""

from __future__ import annotations

import math
import random
import re

from skills.problems.codecs import INT, INTS, PAIRS, words
from skills.problems.gadget import Gadget, IntVar, Params, Part, Port
from skills.problems.registry import register
from skills.problems.terms import (
    Term,
    TermLike,
    add,
    and_,
    eq,
    ge,
    ite,
    le,
    mod,
    mul,
    ne,
    or_,
    sub,
)


@register
class MusicIntervals(Gadget):
    """A melody over the twelve pitch classes whose every step is one of a few intervals."""

    domain = "music_intervals"
    prefix = "pitch_"
    sentences = (
        "A melody of {n} notes uses the pitch classes 0 to 11 (C = 0), begins on pitch class "
        "{first} and ends on pitch class {last}, and every step from one note to the next rises "
        "by one of the intervals {steps} semitones, counted mod 12.",
        "Write a tune of {n} notes over the twelve pitch classes, C = 0 up to B = 11, opening on "
        "pitch class {first} and closing on pitch class {last}, where each melodic interval "
        "upward, reduced mod 12, is one of {steps} semitones.",
    )
    fields = {"n": INT, "first": INT, "last": INT, "steps": INTS}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(4, 7)
        steps = sorted(rng.sample(range(1, 12), rng.randint(2, 3)))
        first = rng.randrange(12)
        pitch = first
        for _ in range(n - 1):
            pitch = (pitch + rng.choice(steps)) % 12
        last = pitch if rng.random() < 0.85 else rng.randrange(12)
        return {"n": n, "first": first, "last": last, "steps": steps}

    def build(self, params: Params) -> Part:
        n, first, last, steps = params["n"], params["first"], params["last"], params["steps"]
        if not (2 <= n <= 16 and 0 <= first <= 11 and 0 <= last <= 11):
            raise ValueError("melody out of range")
        if not steps or not all(1 <= s <= 11 for s in steps):
            raise ValueError("intervals must be 1 to 11 semitones")
        names = [f"pitch_n{i}" for i in range(n)]
        constraints = [eq(names[0], first), eq(names[-1], last)]
        for a, b in zip(names, names[1:], strict=False):
            constraints.append(or_(*[eq(mod(sub(b, a), 12), s) for s in steps]))
        return Part(
            variables=[IntVar(x, 0, 11) for x in names],
            constraints=constraints,
            ports=[Port("pitches", "the melody pitch classes", tuple(names), 0, 11)],
        )


# name -> (reactants, products, smallest balancing coefficients)
REACTIONS: dict[str, tuple[list[str], list[str], list[int]]] = {
    "methane combustion (CH4 + O2 -> CO2 + H2O)": (["CH4", "O2"], ["CO2", "H2O"], [1, 2, 1, 2]),
    "propane combustion (C3H8 + O2 -> CO2 + H2O)": (["C3H8", "O2"], ["CO2", "H2O"], [1, 5, 3, 4]),
    "butane combustion (C4H10 + O2 -> CO2 + H2O)": (
        ["C4H10", "O2"], ["CO2", "H2O"], [2, 13, 8, 10]),
    "ethanol combustion (C2H5OH + O2 -> CO2 + H2O)": (
        ["C2H5OH", "O2"], ["CO2", "H2O"], [1, 3, 2, 3]),
    "rusting of iron (Fe + O2 -> Fe2O3)": (["Fe", "O2"], ["Fe2O3"], [4, 3, 2]),
    "photosynthesis (CO2 + H2O -> C6H12O6 + O2)": (
        ["CO2", "H2O"], ["C6H12O6", "O2"], [6, 6, 1, 6]),
    "cellular respiration (C6H12O6 + O2 -> CO2 + H2O)": (
        ["C6H12O6", "O2"], ["CO2", "H2O"], [1, 6, 6, 6]),
    "ammonia synthesis (N2 + H2 -> NH3)": (["N2", "H2"], ["NH3"], [1, 3, 2]),
    "the thermite reaction (Fe2O3 + Al -> Fe + Al2O3)": (
        ["Fe2O3", "Al"], ["Fe", "Al2O3"], [1, 2, 2, 1]),
    "hydrogen burning (H2 + O2 -> H2O)": (["H2", "O2"], ["H2O"], [2, 1, 2]),
    "peroxide decomposition (H2O2 -> H2O + O2)": (["H2O2"], ["H2O", "O2"], [2, 2, 1]),
    "aluminium oxidation (Al + O2 -> Al2O3)": (["Al", "O2"], ["Al2O3"], [4, 3, 2]),
}


def atom_counts(formula: str) -> dict[str, int]:
    """Atoms of each element in a simple formula (no brackets).

    Example: atom_counts("C2H5OH") -> {"C": 2, "H": 6, "O": 1}
    """
    out: dict[str, int] = {}
    for element, digits in re.findall(r"([A-Z][a-z]?)(\d*)", formula):
        out[element] = out.get(element, 0) + (int(digits) if digits else 1)
    return out


@register
class ChemicalBalancing(Gadget):
    """Whole-number coefficients that balance every element of a real reaction."""

    domain = "chemical_balancing"
    prefix = "chem_"
    sentences = (
        "Balance the chemical equation for {reaction} with whole-number coefficients from 1 to "
        "{cap}, so that every element has as many atoms among the reactants as among the "
        "products.",
        "Find stoichiometric coefficients, each between 1 and {cap}, that balance {reaction}: "
        "every chemical element must count the same number of atoms on both sides.",
    )
    fields = {"reaction": words(*REACTIONS), "cap": INT}

    def sample(self, rng: random.Random) -> Params:
        reaction = rng.choice(sorted(REACTIONS))
        top = max(REACTIONS[reaction][2])
        return {"reaction": reaction, "cap": rng.randint(top - 1, 2 * top + 2)}

    def build(self, params: Params) -> Part:
        reactants, products, _ = REACTIONS[params["reaction"]]
        cap = params["cap"]
        if not 1 <= cap <= 60:
            raise ValueError("coefficient cap out of range")
        species = reactants + products
        names = [f"chem_coef{i}" for i in range(len(species))]
        counts = [atom_counts(f) for f in species]
        elements = sorted({e for c in counts for e in c})
        constraints: list[Term] = []
        for e in elements:
            left = [mul(counts[i][e], names[i]) for i in range(len(reactants)) if e in counts[i]]
            right = [mul(counts[i][e], names[i]) for i in range(len(reactants), len(species))
                     if e in counts[i]]
            constraints.append(eq(add(*left), add(*right)))
        equation = " + ".join(reactants) + " -> " + " + ".join(products)
        return Part(
            variables=[IntVar(x, 1, cap) for x in names],
            constraints=constraints,
            ports=[Port("coefficients", "the reaction coefficients", tuple(names), 1, cap)],
            comments=[f"coefficients in order of {equation}"],
        )


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def day_of_year(month: int, day: int) -> int:
    """Position of a date in a common year, 1 January being 1.

    Example: day_of_year(3, 1) -> 60
    """
    if not (1 <= month <= 12 and 1 <= day <= MONTH_DAYS[month - 1]):
        raise ValueError(f"no date {month}-{day} in a common year")
    return sum(MONTH_DAYS[: month - 1]) + day


@register
class CalendarArithmetic(Gadget):
    """Weekdays of dates in a common year, all fixed by the unknown weekday of 1 January."""

    domain = "calendar_arithmetic"
    prefix = "weekday_"
    sentences = (
        "In a common year (no 29 February) whose 1 January falls on an unknown weekday, with "
        "Monday = 0 through Sunday = 6, the events on the month-day dates {events} are such that "
        "the first of them is a {day} and each of the others falls on a working day, Monday to "
        "Friday.",
        "Find the weekday of 1 January in a non-leap year, counting days mod 7 from Monday = 0, "
        "given that of the month-day dates {events} the first is a {day} and the rest all fall "
        "between Monday and Friday.",
    )
    fields = {"events": PAIRS, "day": words(*WEEKDAYS)}

    def sample(self, rng: random.Random) -> Params:
        jan1 = rng.randrange(7)
        dates: set[tuple[int, int]] = set()
        while len(dates) < rng.randint(3, 5):
            month = rng.randint(1, 12)
            date = (month, rng.randint(1, MONTH_DAYS[month - 1]))
            weekday = (jan1 + day_of_year(*date) - 1) % 7
            if weekday <= 4 or rng.random() < 0.1:
                dates.add(date)
        events = [list(d) for d in sorted(dates)]
        day = WEEKDAYS[(jan1 + day_of_year(*events[0]) - 1) % 7]
        return {"events": events, "day": day}

    def build(self, params: Params) -> Part:
        events, day = params["events"], params["day"]
        if not 1 <= len(events) <= 10:
            raise ValueError("between 1 and 10 dates")
        offsets = [day_of_year(m, d) - 1 for m, d in events]
        names = [f"weekday_ev{i}" for i in range(len(events))]
        dated = zip(names, offsets, strict=True)
        constraints = [eq(x, mod(add("weekday_jan1", k), 7)) for x, k in dated]
        constraints.append(eq(names[0], WEEKDAYS.index(day)))
        constraints += [le(x, 4) for x in names[1:]]
        return Part(
            variables=[IntVar("weekday_jan1", 0, 6)] + [IntVar(x, 0, 6) for x in names],
            constraints=constraints,
            ports=[
                Port("event_weekdays", "the event weekdays", tuple(names), 0, 6),
                Port("new_year", "the New Year weekdays", ("weekday_jan1",), 0, 6),
            ],
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
            ports=[Port("coins", "the coin counts", tuple(names), 0, limit)],
        )


@register
class RecipeScaling(Gadget):
    """Scale a recipe to a new number of diners keeping exact ratios in whole units."""

    domain = "recipe_scaling"
    prefix = "portion_"
    sentences = (
        "A recipe that serves {serves} uses {amounts} whole units of its ingredients; rescale it "
        "for between {lo} and {hi} diners so that every ingredient keeps its proportion and is "
        "still a whole number of units.",
        "Scale a dish written for {serves} servings, with ingredient quantities of {amounts} "
        "whole units, to a party of {lo} to {hi} people, keeping every ratio exact and every "
        "scaled quantity whole.",
    )
    fields = {"serves": INT, "amounts": INTS, "lo": INT, "hi": INT}

    def sample(self, rng: random.Random) -> Params:
        serves = rng.randint(2, 8)
        amounts = [rng.randint(1, 12) for _ in range(rng.randint(3, 4))]
        lo = rng.randint(3, 20)
        return {"serves": serves, "amounts": amounts, "lo": lo, "hi": lo + rng.randint(1, 8)}

    def build(self, params: Params) -> Part:
        serves, amounts, lo, hi = params["serves"], params["amounts"], params["lo"], params["hi"]
        if not (1 <= serves <= 50 and 1 <= lo <= hi <= 200 and 1 <= len(amounts) <= 10):
            raise ValueError("recipe out of range")
        if not all(a >= 1 for a in amounts):
            raise ValueError("amounts must be positive")
        names = [f"portion_qty{i}" for i in range(len(amounts))]
        constraints = [eq(mul(serves, x), mul(a, "portion_diners"))
                       for a, x in zip(amounts, names, strict=True)]
        return Part(
            variables=[IntVar("portion_diners", lo, hi)]
            + [IntVar(x, 0, -(-a * hi // serves)) for a, x in zip(amounts, names, strict=True)],
            constraints=constraints,
            ports=[
                Port("quantities", "the scaled ingredient quantities", tuple(names), 0,
                     -(-max(amounts) * hi // serves)),
                Port("diners", "the diner counts", ("portion_diners",), lo, hi),
            ],
        )


def circuit_output(n: int, ands: list[list[int]], xors: list[list[int]], bits: list[int]) -> int:
    """Value of the last gate for the given input bits.

    Example: circuit_output(2, [[0, 1]], [[0, 2]], [1, 1]) -> 0
    """
    wires = list(bits)
    for a, b in ands:
        wires.append(wires[a] & wires[b])
    for a, b in xors:
        wires.append(wires[a] ^ wires[b])
    return wires[-1]


@register
class BooleanCircuits(Gadget):
    """Input bits for a small AND/XOR circuit whose last gate must output 1."""

    domain = "boolean_circuits"
    prefix = "gate_"
    sentences = (
        "A logic circuit has {n} input bits on wires numbered from 0; AND gates, whose outputs "
        "take the next wire numbers in order, combine the wire pairs {ands}; XOR gates, numbered "
        "on after them, combine the wire pairs {xors}; the last gate must output 1 while exactly "
        "{ones} inputs are 1.",
        "Set {n} input bits (wires 0 upward) so that exactly {ones} of them are 1 and the final "
        "gate outputs 1, where AND gates on the wire pairs {ands} and then XOR gates on the wire "
        "pairs {xors} each write to the next free wire.",
    )
    fields = {"n": INT, "ands": PAIRS, "xors": PAIRS, "ones": INT}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(3, 5)
        ands = [sorted(rng.sample(range(n), 2)) for _ in range(rng.randint(1, 3))]
        xors = []
        for _ in range(rng.randint(2, 3)):
            wire = n + len(ands) + len(xors)
            xors.append(sorted(rng.sample(range(wire), 2)))
        inputs = [[(k >> i) & 1 for i in range(n)] for k in range(2**n)]
        rng.shuffle(inputs)
        good = [b for b in inputs if circuit_output(n, ands, xors, b)]
        ones = sum(good[0]) if good else rng.randint(0, n)
        return {"n": n, "ands": ands, "xors": xors, "ones": ones}

    def build(self, params: Params) -> Part:
        n, ands, xors, ones = params["n"], params["ands"], params["xors"], params["ones"]
        gates = len(ands) + len(xors)
        if not (1 <= n <= 8 and 1 <= gates <= 10 and 0 <= ones <= n):
            raise ValueError("circuit out of range")
        names = [f"gate_w{i}" for i in range(n + gates)]
        constraints: list[Term] = [eq(add(*names[:n]), ones), eq(names[-1], 1)]
        for k, (a, b) in enumerate(ands + xors):
            wire = n + k
            if not (0 <= a < wire and 0 <= b < wire and a != b):
                raise ValueError("a gate must read two different earlier wires")
            fires = and_(eq(names[a], 1), eq(names[b], 1)) if k < len(ands) else ne(
                names[a], names[b])
            constraints.append(eq(names[wire], ite(fires, 1, 0)))
        return Part(
            variables=[IntVar(x, 0, 1) for x in names],
            constraints=constraints,
            ports=[
                Port("inputs", "the circuit input bits", tuple(names[:n]), 0, 1),
                Port("gates", "the logic gate outputs", tuple(names[n:]), 0, 1),
            ],
        )


# cross -> Mendelian ratio of its offspring classes
CROSSES: dict[str, list[int]] = {
    "monohybrid cross Aa x Aa counted by genotype": [1, 2, 1],
    "monohybrid cross Aa x Aa counted by phenotype": [3, 1],
    "monohybrid test cross Aa x aa": [1, 1],
    "dihybrid cross AaBb x AaBb counted by phenotype": [9, 3, 3, 1],
    "dihybrid test cross AaBb x aabb": [1, 1, 1, 1],
    "blood-group cross AB x AB counted by blood type": [1, 2, 1],
}


@register
class MendelianGenetics(Gadget):
    """Offspring counts per class that follow a Mendelian ratio up to a tolerance."""

    domain = "mendelian_genetics"
    prefix = "offspring_"
    sentences = (
        "The {cross} gives {total} offspring split into its Mendelian classes, and every class "
        "count is within {tol} of the count the ideal ratio predicts.",
        "Of {total} offspring from the {cross}, each Mendelian class must hold a whole number no "
        "further than {tol} from its expected share under the textbook ratio.",
    )
    fields = {"cross": words(*CROSSES), "total": INT, "tol": INT}

    def sample(self, rng: random.Random) -> Params:
        cross = rng.choice(sorted(CROSSES))
        tol = rng.randint(0, 3)
        whole = sum(CROSSES[cross])
        exact = tol > 0 or rng.random() < 0.7
        total = whole * rng.randint(2, 10) if exact else rng.randint(8, 80)
        return {"cross": cross, "total": total, "tol": tol}

    def build(self, params: Params) -> Part:
        ratio, total, tol = CROSSES[params["cross"]], params["total"], params["tol"]
        if not (1 <= total <= 1000 and 0 <= tol <= total):
            raise ValueError("offspring counts out of range")
        whole = sum(ratio)
        names = [f"offspring_c{i}" for i in range(len(ratio))]
        constraints: list[Term] = [eq(add(*names), total)]
        for x, r in zip(names, ratio, strict=True):
            gap = sub(mul(whole, x), total * r)  # whole * (count - expected)
            constraints += [le(gap, tol * whole), ge(gap, -tol * whole)]
        return Part(
            variables=[IntVar(x, 0, total) for x in names],
            constraints=constraints,
            ports=[Port("classes", "the offspring class counts", tuple(names), 0, total)],
            comments=[f"classes in the ratio {':'.join(map(str, ratio))}"],
        )


@register
class TrafficLightCycles(Gadget):
    """A moment when several periodic signals turn green together."""

    domain = "traffic_light_cycles"
    prefix = "signal_"
    sentences = (
        "Traffic lights with cycle lengths of {periods} seconds first turn green at seconds "
        "{phases} respectively and then once every cycle; find a moment from second 1 to second "
        "{horizon} when they all turn green together.",
        "Signals whose cycles last {periods} seconds go green for the first time at offsets "
        "{phases} respectively; they must all go green in the same second, no later than "
        "second {horizon}.",
    )
    fields = {"periods": INTS, "phases": INTS, "horizon": INT}

    def sample(self, rng: random.Random) -> Params:
        periods = sorted(rng.sample(range(3, 13), rng.randint(2, 3)))
        cycle = math.lcm(*periods)
        meet = rng.randint(1, cycle)
        horizon = max(1, meet + rng.randint(-3, 25))
        return {"periods": periods, "phases": [meet % p for p in periods], "horizon": horizon}

    def build(self, params: Params) -> Part:
        periods, phases, horizon = params["periods"], params["phases"], params["horizon"]
        if not (1 <= len(periods) <= 6 and len(phases) == len(periods) and 1 <= horizon <= 5000):
            raise ValueError("signals out of range")
        if not all(0 <= f < p for f, p in zip(phases, periods, strict=True)):
            raise ValueError("each offset must be below its cycle length")
        names = [f"signal_turns{i}" for i in range(len(periods))]
        constraints = [eq("signal_meet", add(f, mul(p, x)))
                       for f, p, x in zip(phases, periods, names, strict=True)]
        return Part(
            variables=[IntVar("signal_meet", 1, horizon)]
            + [IntVar(x, 0, horizon // p) for p, x in zip(periods, names, strict=True)],
            constraints=constraints,
            ports=[
                Port("turns", "the signal cycle counts", tuple(names), 0, horizon),
                Port("meet", "the shared green moments", ("signal_meet",), 1, horizon),
            ],
        )


@register
class DoubleEntryAccounting(Gadget):
    """Transaction amounts posted as equal debits and credits that reach given closing balances."""

    domain = "double_entry_accounting"
    prefix = "ledger_"
    sentences = (
        "A ledger has accounts numbered from 0 with opening balances {opening}, debits counted as "
        "plus; transactions post the same whole amount, between 1 and {cap}, as a debit to the "
        "first and a credit to the second account of each of the pairs {entries}, and the "
        "closing balances are {closing}.",
        "In double-entry bookkeeping with debit-positive balances, accounts opening at {opening} "
        "close at {closing} after transactions on the debit-credit account pairs {entries}, each "
        "moving a whole amount from 1 to {cap} out of the credited and into the debited account.",
    )
    fields = {"opening": INTS, "cap": INT, "entries": PAIRS, "closing": INTS}

    def sample(self, rng: random.Random) -> Params:
        n = rng.randint(3, 4)
        opening = [rng.randint(-30, 50) for _ in range(n)]
        entries = [rng.sample(range(n), 2) for _ in range(rng.randint(3, 6))]
        cap = rng.randint(10, 40)
        closing = list(opening)
        for debit, credit in entries:
            amount = rng.randint(1, cap)
            closing[debit] += amount
            closing[credit] -= amount
        if rng.random() < 0.15:
            closing[rng.randrange(n)] += rng.choice([-3, -1, 2, 5])
        return {"opening": opening, "cap": cap, "entries": entries, "closing": closing}

    def build(self, params: Params) -> Part:
        opening, cap, closing = params["opening"], params["cap"], params["closing"]
        entries = params["entries"]
        n = len(opening)
        if not (2 <= n <= 8 and len(closing) == n and 1 <= len(entries) <= 10 and cap >= 1):
            raise ValueError("ledger out of range")
        if not all(0 <= d < n and 0 <= c < n and d != c for d, c in entries):
            raise ValueError("each entry debits one account and credits another")
        amounts = [f"ledger_amt{t}" for t in range(len(entries))]
        balances = [f"ledger_bal{a}" for a in range(n)]
        constraints: list[Term] = []
        bounds = []
        for a, name in enumerate(balances):
            debits = [x for x, (d, _) in zip(amounts, entries, strict=True) if d == a]
            credits = [x for x, (_, c) in zip(amounts, entries, strict=True) if c == a]
            flow = sub(add(*debits), add(*credits))
            constraints += [eq(name, add(opening[a], flow)), eq(name, closing[a])]
            bounds.append(IntVar(name, opening[a] - cap * len(credits),
                                 opening[a] + cap * len(debits)))
        lo, hi = min(v.lo for v in bounds), max(v.hi for v in bounds)
        return Part(
            variables=[IntVar(x, 1, cap) for x in amounts] + bounds,
            constraints=constraints,
            ports=[
                Port("amounts", "the posted transaction amounts", tuple(amounts), 1, cap),
                Port("balances", "the closing account balances", tuple(balances), lo, hi),
            ],
        )


@register
class InventoryPlanning(Gadget):
    """Production per period that meets demand from stock without shortage or overflow."""

    domain = "inventory_planning"
    prefix = "stock_"
    sentences = (
        "Over consecutive periods a workshop faces demands of {demand} units; it can make up to "
        "{cap} units a period, starts with {initial} in stock, may hold at most {storage} units "
        "at the end of any period, never runs short, and must finish with exactly {final} units "
        "left.",
        "Plan production for the period demands {demand}: at most {cap} units made per period, "
        "opening stock of {initial}, warehouse room for {storage} units, no backorders, and a "
        "closing stock of exactly {final}.",
    )
    fields = {"demand": INTS, "cap": INT, "initial": INT, "storage": INT, "final": INT}

    def sample(self, rng: random.Random) -> Params:
        demand = [rng.randint(2, 9) for _ in range(rng.randint(3, 5))]
        cap, storage, initial = rng.randint(4, 9), rng.randint(5, 12), rng.randint(0, 5)
        initial = min(initial, storage)
        level = initial
        for d in demand:
            options = [m for m in range(cap + 1) if 0 <= level + m - d <= storage]
            level = level + rng.choice(options) - d if options else 0
        final = level if rng.random() < 0.85 else rng.randint(0, 3)
        return {"demand": demand, "cap": cap, "initial": initial, "storage": storage,
                "final": final}

    def build(self, params: Params) -> Part:
        demand, cap, storage = params["demand"], params["cap"], params["storage"]
        initial, final = params["initial"], params["final"]
        if not (1 <= len(demand) <= 8 and cap >= 0 and storage >= 0 and initial >= 0):
            raise ValueError("inventory out of range")
        if not all(d >= 0 for d in demand):
            raise ValueError("demands must be non-negative")
        make = [f"stock_make{t}" for t in range(len(demand))]
        level = [f"stock_level{t}" for t in range(len(demand))]
        constraints: list[Term] = []
        before: TermLike = initial
        for m, x, d in zip(make, level, demand, strict=True):
            constraints.append(eq(x, sub(add(before, m), d)))
            before = x
        constraints.append(eq(level[-1], final))
        return Part(
            variables=[IntVar(x, 0, cap) for x in make] + [IntVar(x, 0, storage) for x in level],
            constraints=constraints,
            ports=[
                Port("production", "the production quantities", tuple(make), 0, cap),
                Port("stock", "the end-of-period stock levels", tuple(level), 0, storage),
            ],
        )

