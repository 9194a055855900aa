"""Proofs about SMT-LIB 2 problems with Z3: equivalence, interaction, what a version entails.

Each function parses its texts into one fresh Z3 context with
`parse_smt2_string`, given only the texts' declarations, definitions and
assertions: `parse_smt2_string` would run a `set-option` on Z3's global
parameters (a `:timeout 1` would then cut every later check in the process),
so the other commands are dropped first. Callers prove only texts whose
checker verdict passed (the screen ran). Every query has the
time limit; a query Z3 does not decide in time is `undecided`, never a pass.

- `equivalence(a, b)`: both declare the same unknowns and Z3 proves a ⇔ b
  (a ∧ ¬b and b ∧ ¬a unsat); else the counterexample satisfies one side only.
- `witness_agreement(a, wa, b, wb)`: each side's witness, on the names both
  share, extends to a solution of the other (the weaker fallback).
- `interaction(text, domains)`: the constraint graph (unknowns as nodes, each
  conjunct joining the unknowns it mentions) connects every domain, and every
  link — a conjunct joining unknowns of two or more domains, grouped by its
  assert — is not implied by the rest (rest ∧ ¬link is sat).
- `missing_domain(missing, original, dropped, domains)`: the missing-domain
  version does not entail the dropped domain's own constraints (a model of
  missing ∧ ¬dropped exists), and which remaining domains it still entails.

A domain's unknowns are the declared names its touchstone patterns match.
One proof runs at a time in a process (a lock): Z3 keeps state shared by all its
contexts (interned symbols), and two proofs solving at once in two threads make the
model each finds — a counterexample, a witness — depend on how they interleaved, so a
run would not give the same records twice (measured: the same missing-domain query
alone and beside three others in threads gave different counterexamples). One at a
time, a query's model depends only on its texts, in any process, after any history.
Each query runs under a step budget, not a time limit (`smt_check/budget.py`), so
whether it is decided does not depend on the machine's load either.

Trade-off: links that pass through unknowns of no domain (helpers) are seen by
the graph but not tested for redundancy; a fresh solver per query re-solves
the whole problem, which for these small bounded problems costs milliseconds.

Example: equivalence("(declare-const x Int)(assert (> x 2))",
                     "(declare-const x Int)(assert (>= x 3))").outcome -> "holds"
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

import z3
from pydantic import BaseModel, Field

from retrolean.memory.signature import Signature
from retrolean.tools.proof import Proof, Value
from retrolean.tools.signatures import smt_signature
from retrolean.tools.smt_check.budget import Budget, budgeted_solver, decide, gave_up
from retrolean.tools.smt_check.reader import read_script

PROVER = f"z3 {z3.get_version_string()}"
DomainPatterns = dict[str, list[str]]  # domain -> touchstone regexes over names
_ONE_AT_A_TIME = threading.Lock()  # see the module docstring: models depend on interleaving
P = ParamSpec("P")
R = TypeVar("R")


def _alone(prove: Callable[P, R]) -> Callable[P, R]:
    """`prove`, run while no other proof of this module runs in the process."""
    @functools.wraps(prove)
    def alone(*args: P.args, **kwargs: P.kwargs) -> R:
        with _ONE_AT_A_TIME:
            return prove(*args, **kwargs)
    return alone


class Interaction(BaseModel):
    """How a problem's domains interact: connected, and which links add a constraint."""

    links: int = 0
    non_redundant: int = 0
    connected: bool | None = None  # None: could not be decided
    unconnected: list[str] = Field(default_factory=list)  # domains apart from the rest
    redundant: list[str] = Field(default_factory=list)  # links the rest implies (SMT-LIB)
    undecided: list[str] = Field(default_factory=list)  # links Z3 did not decide in time
    vacuous_at: list[int] = Field(default_factory=list)  # positions (in text order) of links
    # not shown to add a constraint: the redundant and the undecided
    prover: str = PROVER
    reason: str = ""

    @property
    def holds(self) -> bool:
        """Connected, and every link decided non-redundant."""
        return bool(self.connected) and self.non_redundant == self.links


class MissingProof(BaseModel):
    """The dropped domain not entailed (the proof), and what the version still entails."""

    dropped: Proof
    entails: dict[str, bool | None] = Field(default_factory=dict)  # remaining domain -> entailed


@dataclass
class _Parsed:
    """A problem in a Z3 context: its assertions and their conjuncts with their unknowns."""

    signature: Signature
    asserts: list[z3.BoolRef]
    conjuncts: list[tuple[int, z3.BoolRef, frozenset[str]]] = field(default_factory=list)
    constants: dict[str, z3.ExprRef] = field(default_factory=dict)


def _declarations_and_asserts(text: str) -> str:
    """The text's declare-*, define-* and assert commands, nothing else."""
    kept = [text[c.start:c.end] for c in read_script(text).commands
            if c.head is not None and (c.head == "assert" or c.head.startswith(("declare-",
                                                                               "define-")))]
    return "\n".join(kept)


def _parse(text: str, ctx: z3.Context) -> _Parsed:
    """The text's assertions split into conjuncts; ValueError when it cannot be read."""
    try:
        signature = smt_signature(text)
        asserts = list(z3.parse_smt2_string(_declarations_and_asserts(text), ctx=ctx))
    except (ValueError, z3.Z3Exception) as e:
        raise ValueError(f"cannot read the SMT-LIB text: {_message(e)}") from e
    parsed = _Parsed(signature, asserts)
    memo: dict[int, frozenset[str]] = {}
    for i, a in enumerate(asserts):
        for c in _flatten(a):
            names = _constants(c, memo, parsed.constants)
            parsed.conjuncts.append((i, c, names))
    return parsed


def _message(e: Exception) -> str:
    raw = e.value if isinstance(e, z3.Z3Exception) else str(e)
    raw = raw.decode() if isinstance(raw, bytes) else str(raw)
    return " ".join(raw.split())[:300]


def _flatten(e: z3.ExprRef) -> Iterable[z3.ExprRef]:
    if z3.is_and(e):
        for child in e.children():
            yield from _flatten(child)
    else:
        yield e


def _constants(e: z3.ExprRef, memo: dict[int, frozenset[str]],
               found: dict[str, z3.ExprRef]) -> frozenset[str]:
    """Names of the uninterpreted constants in a term (memoised by node)."""
    key = e.get_id()
    if key in memo:
        return memo[key]
    if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
        found[e.decl().name()] = e
        out = frozenset([e.decl().name()])
    elif z3.is_app(e):
        out = frozenset().union(*(_constants(c, memo, found) for c in e.children()))
        if e.decl().kind() == z3.Z3_OP_UNINTERPRETED:  # an uninterpreted function's own name
            out |= {e.decl().name()}
    else:  # quantifiers and variables: their bodies' free constants
        out = frozenset().union(*(_constants(c, memo, found) for c in e.children()))
    memo[key] = out
    return out


def _solve(ctx: z3.Context, timeout_ms: int, *facts: z3.BoolRef
           ) -> tuple[z3.CheckSatResult, z3.ModelRef | None, str]:
    budget = Budget.of(timeout_ms)
    solver = budgeted_solver(ctx, budget)
    # Z3's own Ctrl-C handling would cancel this proof (an "undecided" record) and then put
    # Python's SIGINT handler back with SA_RESTART, so a later blocking read ignores Ctrl-C;
    # without it, Ctrl-C reaches Python: KeyboardInterrupt once the check returns.
    solver.set("ctrl_c", False)
    solver.add(*facts)
    result, why = decide(solver, budget)
    return result, solver.model() if result == z3.sat else None, why


def _assignment(model: z3.ModelRef, constants: dict[str, z3.ExprRef]) -> dict[str, Value]:
    """The model's values of the given constants (ints and booleans as such, others as text)."""
    out: dict[str, Value] = {}
    for name in sorted(constants):
        value = model.eval(constants[name], model_completion=True)
        if z3.is_int_value(value):
            out[name] = value.as_long()
        elif z3.is_true(value) or z3.is_false(value):
            out[name] = z3.is_true(value)
        else:
            out[name] = str(value)
    return out


def _all(ctx: z3.Context, facts: list[z3.BoolRef]) -> z3.BoolRef:
    if len(facts) == 1:
        return facts[0]
    return z3.And(*facts) if facts else z3.BoolVal(True, ctx)


def _proof(outcome: str, start: float, reason: str, **kw: object) -> Proof:
    return Proof(outcome=outcome, prover=PROVER, reason=reason,  # type: ignore[arg-type]
                 elapsed_ms=(time.perf_counter() - start) * 1000, **kw)  # type: ignore[arg-type]


@_alone
def equivalence(original: str, other: str, timeout_ms: int = 5000,
                names: tuple[str, str] = ("original", "round trip")) -> Proof:
    """Whether two problems over the same unknowns are equivalent (see the module docstring)."""
    start = time.perf_counter()
    ctx = z3.Context()
    try:
        a, b = _parse(original, ctx), _parse(other, ctx)
    except ValueError as e:
        return _proof("undecided", start, str(e))
    if not a.signature.same_as(b.signature):
        return _proof("undecided", start, f"the {names[1]} does not use the {names[0]}'s "
                      f"unknowns: it {a.signature.difference(b.signature)}")
    left, right = _all(ctx, a.asserts), _all(ctx, b.asserts)
    constants = {**a.constants, **b.constants}
    for holds, fails, side in ((left, right, names[0]), (right, left, names[1])):
        result, model, why = _solve(ctx, timeout_ms, holds, z3.Not(fails))
        if result == z3.sat:
            assert model is not None
            other_side = names[1] if side == names[0] else names[0]
            return _proof("fails", start, f"not equivalent: an assignment satisfies the {side} "
                          f"but not the {other_side}", counterexample=_assignment(model, constants),
                          holds_in=side)
        if result == z3.unknown:
            return _proof("undecided", start, gave_up(why, timeout_ms))
    return _proof("holds", start, "equivalent: Z3 proves each side implies the other")


@_alone
def witness_agreement(original: str, original_witness: dict[str, int] | None, other: str,
                      other_witness: dict[str, int] | None, timeout_ms: int = 5000,
                      names: tuple[str, str] = ("original", "round trip")) -> Proof:
    """Whether each side's witness, on the unknowns both share, extends to a solution of the
    other side. Weaker than equivalence: it is the fallback where names differ."""
    start = time.perf_counter()
    if not original_witness or not other_witness:
        return _proof("undecided", start, "a side has no witness to cross-check")
    ctx = z3.Context()
    try:
        parsed = {names[0]: _parse(original, ctx), names[1]: _parse(other, ctx)}
    except ValueError as e:
        return _proof("undecided", start, str(e))
    shared = set(parsed[names[0]].constants) & set(parsed[names[1]].constants)
    if not shared:
        return _proof("undecided", start, "the two texts share no unknowns")
    pairs = ((names[0], original_witness, names[1]), (names[1], other_witness, names[0]))
    for source, witness, target in pairs:
        problem = parsed[target]
        fixed = {n: witness[n] for n in sorted(shared) if n in witness
                 and z3.is_int(problem.constants[n])}
        if not fixed:
            return _proof("undecided", start, f"the {source}'s witness gives no integer value "
                          f"to an unknown of the {target}")
        pins = [problem.constants[n] == v for n, v in fixed.items()]
        result, _model, why = _solve(ctx, timeout_ms, *problem.asserts, *pins)
        if result == z3.unsat:
            return _proof("fails", start, f"the {source}'s witness does not extend to a solution "
                          f"of the {target}", counterexample=dict(fixed), holds_in=source)
        if result == z3.unknown:
            return _proof("undecided", start, gave_up(why, timeout_ms))
    return _proof("holds", start, f"each side's witness extends to a solution of the other "
                  f"({len(shared)} shared unknowns)")


def domain_unknowns(names: Iterable[str], domains: DomainPatterns) -> dict[str, set[str]]:
    """Each domain's unknowns: the names one of its touchstones matches.

    Example: domain_unknowns(["colour_v0", "prime_p0"], {"primes": [r"\\bprime_\\w+"]})
             -> {"primes": {"prime_p0"}}
    """
    compiled = {d: [re.compile(p) for p in ps] for d, ps in domains.items()}
    out: dict[str, set[str]] = {d: set() for d in domains}
    for name in names:
        for d, patterns in compiled.items():
            if any(p.search(name) for p in patterns):
                out[d].add(name)
    return out


@_alone
def interaction(text: str, domains: DomainPatterns, timeout_ms: int = 5000) -> Interaction:
    """Connectivity of the domains and redundancy of each link (see the module docstring).

    Answers are remembered by (text, domains, time limit), so a backend that checked its
    links while writing and the stage that checks them again pay once.
    """
    key = tuple((d, tuple(p)) for d, p in domains.items())
    return _interaction(text, key, timeout_ms).model_copy(deep=True)


@functools.lru_cache(maxsize=2048)
def _interaction(text: str, key: tuple[tuple[str, tuple[str, ...]], ...],
                 timeout_ms: int) -> Interaction:
    domains = {d: list(p) for d, p in key}
    ctx = z3.Context()
    try:
        parsed = _parse(text, ctx)
    except ValueError as e:
        return Interaction(reason=str(e))
    owned = domain_unknowns(parsed.signature.names or parsed.constants, domains)
    owner: dict[str, set[str]] = {}
    for d, names in owned.items():
        for n in names:
            owner.setdefault(n, set()).add(d)
    unconnected = _unconnected(parsed, owned)
    groups: dict[int, list[int]] = {}
    for j, (i, _c, names) in enumerate(parsed.conjuncts):
        if len(set().union(*(owner.get(n, set()) for n in names))) >= 2:
            groups.setdefault(i, []).append(j)
    out = Interaction(links=len(groups), connected=not unconnected, unconnected=unconnected)
    for position, members in enumerate(groups.values()):
        chosen = set(members)
        rest = [c for j, (_i, c, _n) in enumerate(parsed.conjuncts) if j not in chosen]
        link = _all(ctx, [parsed.conjuncts[j][1] for j in members])
        result, _model, _why = _solve(ctx, timeout_ms, *rest, z3.Not(link))
        shown_link = " ".join(link.sexpr().split())  # one line, as the model would write it
        if result == z3.sat:
            out.non_redundant += 1
        elif result == z3.unsat:
            out.redundant.append(shown_link[:400])
            out.vacuous_at.append(position)
        else:
            out.undecided.append(shown_link[:400])
            out.vacuous_at.append(position)
    return out


def _unconnected(parsed: _Parsed, owned: dict[str, set[str]]) -> list[str]:
    """Domains with no unknown in the component that reaches the most domains."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _i, _c, names in parsed.conjuncts:
        first, *others = sorted(names) or [None]
        if first is None:
            continue
        for n in others:
            parent[find(n)] = find(first)
    reach: dict[str, set[str]] = {}
    for d, names in owned.items():
        for n in names:
            reach.setdefault(find(n), set()).add(d)
    best = max(reach.values(), key=len, default=set())
    return sorted(d for d in owned if d not in best)


@_alone
def missing_domain(missing: str, original: str, dropped: str, domains: DomainPatterns,
                   timeout_ms: int = 5000) -> MissingProof:
    """Whether the missing-domain version leaves the dropped domain's constraints unentailed
    (`dropped.outcome == "holds"`), and which remaining domains it entails."""
    start = time.perf_counter()
    ctx = z3.Context()
    try:
        version, full = _parse(missing, ctx), _parse(original, ctx)
    except ValueError as e:
        return MissingProof(dropped=_proof("undecided", start, str(e)))
    owned = domain_unknowns(full.signature.names or full.constants, domains)

    def own_constraints(domain: str) -> list[z3.BoolRef]:
        names = owned.get(domain, set())
        return [c for _i, c, ns in full.conjuncts if ns and ns <= names]

    def entailed(domain: str) -> tuple[z3.CheckSatResult, z3.ModelRef | None, str]:
        return _solve(ctx, timeout_ms, *version.asserts,
                      z3.Not(_all(ctx, own_constraints(domain))))

    if not own_constraints(dropped):
        return MissingProof(dropped=_proof("undecided", start, f"the original states no "
                                           f"constraint of {dropped} alone"))
    result, model, why = entailed(dropped)
    if result == z3.sat:
        assert model is not None
        shown_names = {n: full.constants[n] for n in sorted(owned.get(dropped, set()))
                       if n in full.constants}
        proof = _proof("holds", start, f"the version does not entail {dropped}'s constraints: "
                       "an assignment satisfies it and violates them",
                       counterexample=_assignment(model, shown_names))
    elif result == z3.unsat:
        proof = _proof("fails", start, f"the version entails {dropped}'s constraints: the "
                       "domain is still there")
    else:
        proof = _proof("undecided", start, gave_up(why, timeout_ms))
    entails: dict[str, bool | None] = {}
    for domain in domains:
        if domain == dropped or not own_constraints(domain):
            continue
        r, _m, _w = entailed(domain)
        entails[domain] = True if r == z3.unsat else False if r == z3.sat else None
    return MissingProof(dropped=proof, entails=entails)
