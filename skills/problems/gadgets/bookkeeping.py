"""Gadgets for bookkeeping domains: recipe scaling, seat apportionment, ledgers and stock.

Each gadget tallies whole units against fixed totals (ingredients per diner, seats per vote,
debits against credits, stock carried between periods) over bounded integer unknowns; the
quantities, seats, amounts, balances and stock levels are the ports. Concession: real-world
detail that does not change the arithmetic (units, account names, party names) stays in the
English, and rounding rules are stated exactly by scaling with the totals instead of fractions.
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
from retrolean.skills.problems.terms import Term, TermLike, add, and_, eq, gt, le, lt, mul, sub


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
        names = self.unknowns("qty", len(amounts))
        constraints = [eq(mul(serves, x), mul(a, "portion_diners"))
                       for a, x in zip(amounts, names, strict=True)]
        return Part(
            variables=[IntVar("portion_diners", lo, hi)]
            + [IntVar(x, 0, -(-a * hi // serves)) for a, x in zip(amounts, names, strict=True)],
            constraints=constraints,
            ports=[
                Port("quantities", "the scaled ingredient quantities", tuple(names), 0,
                     -(-max(amounts) * hi // serves), item="the scaled amount of ingredient {k}",
                     first=1),
                Port("diners", "the diner counts", ("portion_diners",), lo, hi,
                     item="the number of people served"),
            ],
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
        names = self.unknowns("p", len(votes))
        # excess = seats*total - votes*S: the quota's rounding, scaled by the vote total
        excess = [sub(mul(total, x), v * seats) for x, v in zip(names, votes, strict=True)]
        constraints: list[Term] = [eq(add(*names), seats)]
        constraints += [and_(gt(e, -total), lt(e, total)) for e in excess]
        for i, ei in enumerate(excess):
            for j, ej in enumerate(excess):
                if i != j:
                    constraints.append(le(sub(ei, ej), total))
        return Part.from_ports(
            constraints, Port("seats", "the party seat counts", tuple(names), 0, seats,
                              item="the seats of party {k}", first=1)
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
        if not distinct_pairs_below(entries, n):
            raise ValueError("each entry debits one account and credits another")
        amounts = self.unknowns("amt", len(entries))
        balances = self.unknowns("bal", n)
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
                Port("amounts", "the posted transaction amounts", tuple(amounts), 1, cap,
                     item="the amount of transaction {k}", first=1),
                Port("balances", "the closing account balances", tuple(balances), lo, hi,
                     item="the closing balance of account {k}", first=0),
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
        make = self.unknowns("make", len(demand))
        level = self.unknowns("level", len(demand))
        constraints: list[Term] = []
        before: TermLike = initial
        for m, x, d in zip(make, level, demand, strict=True):
            constraints.append(eq(x, sub(add(before, m), d)))
            before = x
        constraints.append(eq(level[-1], final))
        return Part.from_ports(
            constraints,
            Port("production", "the production quantities", tuple(make), 0, cap,
                 item="the units made in period {k}", first=1),
            Port("stock", "the end-of-period stock levels", tuple(level), 0, storage,
                 item="the stock left after period {k}", first=1),
        )
