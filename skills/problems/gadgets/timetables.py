"""Gadgets for timing domains: machine schedules, calendars, traffic signals, round robins.

Each gadget places events in whole-number time (start times, weekdays mod 7, seconds of a
signal cycle, tournament rounds); those times are the ports another domain can be tied to.
Trade-off: time is discrete and bounded (a horizon, one common year, at most six teams), and
"no overlap" or "no team twice in a round" is written pairwise, which grows quadratically but
stays readable in SMT-LIB and Lean.
"""

from __future__ import annotations

import math
import random

from retrolean.skills.problems.codecs import INT, INTS, PAIRS, words
from retrolean.skills.problems.gadget import Gadget, IntVar, Params, Part, Port, register
from retrolean.skills.problems.terms import Term, add, distinct, eq, le, mod, mul, or_


@register
class Scheduling(Gadget):
    """Start times for jobs on one machine, no two overlapping, all done by a horizon."""

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
        names = self.unknowns("job", len(durations))
        constraints = []
        for i, (si, di) in enumerate(zip(names, durations, strict=True)):
            for sj, dj in zip(names[i + 1 :], durations[i + 1 :], strict=True):
                constraints.append(or_(le(add(si, di), sj), le(add(sj, dj), si)))
        return Part(
            variables=[IntVar(s, 0, max(0, h - d)) for s, d in zip(names, durations, strict=True)],
            constraints=constraints,
            ports=[Port("starts", "the job start times", tuple(names), 0, h,
                        item="the start time of job {k}", first=1)],
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
    default_seed = 1  # seed 0's instance is inconsistent alone
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
        names = self.unknowns("ev", len(events))
        dated = zip(names, offsets, strict=True)
        constraints = [eq(x, mod(add("weekday_jan1", k), 7)) for x, k in dated]
        constraints.append(eq(names[0], WEEKDAYS.index(day)))
        constraints += [le(x, 4) for x in names[1:]]
        return Part(
            variables=[IntVar("weekday_jan1", 0, 6)] + [IntVar(x, 0, 6) for x in names],
            constraints=constraints,
            ports=[
                Port("event_weekdays", "the event weekdays", tuple(names), 0, 6,
                     item="the weekday of event {k}", first=1),
                Port("new_year", "the New Year weekdays", ("weekday_jan1",), 0, 6,
                     item="the weekday of 1 January"),
            ],
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
        names = self.unknowns("turns", len(periods))
        constraints = [eq("signal_meet", add(f, mul(p, x)))
                       for f, p, x in zip(phases, periods, names, strict=True)]
        return Part(
            variables=[IntVar("signal_meet", 1, horizon)]
            + [IntVar(x, 0, horizon // p) for p, x in zip(periods, names, strict=True)],
            constraints=constraints,
            ports=[
                Port("turns", "the signal cycle counts", tuple(names), 0, horizon,
                     item="the cycle count of signal {k}", first=1),
                Port("meet", "the shared green moments", ("signal_meet",), 1, horizon,
                     item="the shared green moment"),
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
        return Part.from_ports(
            constraints, Port("rounds", "the fixture rounds", tuple(names), 0, last,
                              items=tuple(f"the round in which teams {a} and {b} meet"
                                          for a, b in name))
        )
