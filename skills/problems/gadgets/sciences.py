"""Gadgets for science domains: chemical equations, Mendelian crosses and logic circuits.

Each gadget keeps the science's own structure (atom counts per element, ratios of offspring
classes, AND and XOR gates on numbered wires) over a small system of bounded integer unknowns;
coefficients, class counts and wire bits are the ports. Trade-off: the reactions and crosses
come from fixed tables of textbook cases rather than being generated, so every instance is
real chemistry or genetics at the price of a small vocabulary.
"""

from __future__ import annotations

import random
import re

from retrolean.skills.problems.codecs import INT, PAIRS, words
from retrolean.skills.problems.gadget import Gadget, Params, Part, Port, register
from retrolean.skills.problems.terms import Term, add, and_, eq, ge, ite, le, mul, ne, sub

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
        names = self.unknowns("coef", len(species))
        counts = [atom_counts(f) for f in species]
        elements = sorted({e for c in counts for e in c})
        constraints: list[Term] = []
        for e in elements:
            left = [mul(counts[i][e], names[i]) for i in range(len(reactants)) if e in counts[i]]
            right = [mul(counts[i][e], names[i]) for i in range(len(reactants), len(species))
                     if e in counts[i]]
            constraints.append(eq(add(*left), add(*right)))
        equation = " + ".join(reactants) + " -> " + " + ".join(products)
        return Part.from_ports(
            constraints,
            Port("coefficients", "the reaction coefficients", tuple(names), 1, cap,
                 item="coefficient {k} of the equation, left to right", first=1),
            comments=[f"coefficients in order of {equation}"],
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
        names = self.unknowns("w", n + gates)
        constraints: list[Term] = [eq(add(*names[:n]), ones), eq(names[-1], 1)]
        for k, (a, b) in enumerate(ands + xors):
            wire = n + k
            if not (0 <= a < wire and 0 <= b < wire and a != b):
                raise ValueError("a gate must read two different earlier wires")
            fires = and_(eq(names[a], 1), eq(names[b], 1)) if k < len(ands) else ne(
                names[a], names[b])
            constraints.append(eq(names[wire], ite(fires, 1, 0)))
        return Part.from_ports(
            constraints,
            Port("inputs", "the circuit input bits", tuple(names[:n]), 0, 1,
                 item="the bit on wire {k}", first=0),
            Port("gates", "the logic gate outputs", tuple(names[n:]), 0, 1,
                 item="the output on wire {k}", first=n),
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
        names = self.unknowns("c", len(ratio))
        constraints: list[Term] = [eq(add(*names), total)]
        for x, r in zip(names, ratio, strict=True):
            gap = sub(mul(whole, x), total * r)  # whole * (count - expected)
            constraints += [le(gap, tol * whole), ge(gap, -tol * whole)]
        return Part.from_ports(
            constraints,
            Port("classes", "the offspring class counts", tuple(names), 0, total,
                 item="the count of offspring class {k}", first=1),
            comments=[f"classes in the ratio {':'.join(map(str, ratio))}"],
        )
