"""Gadgets for craft domains counted in small units: melodies, verse and knitting.

Each gadget keeps its craft's own counting (pitch classes mod 12, syllables per foot, stitches
per repeat and rows per pattern) but reduces it to bounded integer unknowns; pitches, syllable
and stress counts, repeats and rows are the ports. Concession: what does not change the
arithmetic (note names, which words rhyme, stitch types) stays in the English, not the terms.
"""

from __future__ import annotations

import math
import random

from retrolean.skills.problems.codecs import INT, INTS, words
from retrolean.skills.problems.gadget import Gadget, IntVar, Params, Part, Port, register
from retrolean.skills.problems.terms import Term, add, eq, mod, mul, or_, sub


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
        names = self.unknowns("n", n)
        constraints = [eq(names[0], first), eq(names[-1], last)]
        for a, b in zip(names, names[1:], strict=False):
            constraints.append(or_(*[eq(mod(sub(b, a), 12), s) for s in steps]))
        return Part.from_ports(
            constraints, Port("pitches", "the melody pitch classes", tuple(names), 0, 11,
                              item="the pitch class of note {k}", first=1)
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
        syllables = self.unknowns("syl", lines)
        beats = self.unknowns("stress", lines)
        pairs = zip(syllables, beats, strict=True)
        constraints: list[Term] = [eq(s, mul(foot, b)) for s, b in pairs]
        constraints += [eq(syllables[i], syllables[i + 1]) for i in range(0, lines, 2)]
        constraints.append(eq(add(*beats), stresses))
        return Part.from_ports(
            constraints,
            Port("syllables", "the line syllable counts", tuple(syllables), foot * lo, foot * hi,
                 item="the syllable count of line {k}", first=1),
            Port("stresses", "the line stress counts", tuple(beats), lo, hi,
                 item="the stress count of line {k}", first=1),
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
        names = self.unknowns("reps", len(srep))
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
                Port("repeats", "the panel repeat counts", tuple(names), 1, most,
                     item="the repeat count of panel {k}", first=1),
                Port("rows", "the knitted row totals", ("stitch_rows",), rlo, rhi,
                     item="the number of rows knitted"),
            ],
        )
