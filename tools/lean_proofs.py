"""Proofs about Lean 4 problems: the round trip's `↔` theorem, and witnesses plugged across.

Both texts define `problem` over their unknowns (the shape every prompt and
the template ask for). They are put in one file, each in its own namespace
(`Original`, `Roundtrip`; `import` lines hoisted to the top), followed by

    theorem roundtrip_equivalent : ∀ (x y : Int), Original.problem x y ↔ Roundtrip.problem x y

closed by the configured tactics, tried in order (`first | … | …`). The file
is screened and checked like every Lean text (`lean_check`, nothing may be
`sorry`). Lean accepting it proves the equivalence; Lean rejecting it proves
nothing (the tactics may just be too weak), so that is `undecided`, and the
caller falls back. The witness cross-check plugs each side's witness into the
other's `problem` and asks `decide`: a proposition `decide` evaluates to false
is a counterexample.

Trade-off: default tactics are core Lean (`omega`, also on each direction of
the `↔`, then `decide`, `simp`); with a Mathlib project, add e.g. `nlinarith`
or `aesop` in settings. Non-linear problems are often beyond them: undecided.

Example: equivalence_text(a, b, ["omega"]) -> "namespace Original … theorem
         roundtrip_equivalent : ∀ (x : Int), Original.problem x ↔ Roundtrip.problem x := …"
"""

from __future__ import annotations

import re

from retrolean.memory.signature import Signature
from retrolean.tools.lean_check import ConsistencyPolicy, LeanConfig, lean_check
from retrolean.tools.proof import Proof
from retrolean.tools.signatures import lean_signature
from retrolean.tools.verdict import Verdict

THEOREM = "roundtrip_equivalent"
DEFAULT_TACTICS = ("omega", "constructor <;> intro h <;> omega", "decide", "simp")
EQUIVALENCE_POLICY = ConsistencyPolicy(allow_sorry=False, require=[THEOREM])
_IMPORT = re.compile(r"^\s*import\s+.*$", re.MULTILINE)
_FALSE = re.compile(r"evaluates to false|is false", re.IGNORECASE)


def _split_imports(text: str) -> tuple[list[str], str]:
    return [m.group(0).strip() for m in _IMPORT.finditer(text)], _IMPORT.sub("", text)


def _namespaced(original: str, other: str) -> tuple[list[str], str]:
    imports_a, body_a = _split_imports(original)
    imports_b, body_b = _split_imports(other)
    imports = list(dict.fromkeys(imports_a + imports_b))
    body = (f"namespace Original\n\n{body_a.strip()}\n\nend Original\n\n"
            f"namespace Roundtrip\n\n{body_b.strip()}\n\nend Roundtrip\n")
    return imports, body


def _applied(namespace: str, signature: Signature) -> str:
    return f"{namespace}.problem {' '.join(signature.names)}".strip()


def equivalence_text(original: str, other: str, tactics: tuple[str, ...] | list[str]
                     ) -> str | None:
    """The Lean file proving both problems equivalent, or None where their `problem`s do not
    share one signature."""
    a, b = lean_signature(original), lean_signature(other)
    if a is None or b is None or not a.same_as(b):
        return None
    imports, body = _namespaced(original, other)
    binders = a.render("lean4")
    alternatives = "\n".join(f"  | ({t})" for t in tactics)
    theorem = (f"theorem {THEOREM} : ∀ {binders},\n    {_applied('Original', a)} ↔ "
               f"{_applied('Roundtrip', b)} := by\n  intros\n"
               f"  try simp only [Original.problem, Roundtrip.problem]\n  first\n{alternatives}\n")
    return "\n".join([*imports, "", body, theorem])


def lean_equivalence(original: str, other: str, config: LeanConfig,
                     tactics: tuple[str, ...] | list[str] = DEFAULT_TACTICS) -> Proof:
    """Whether Lean proves the two problems equivalent (see the module docstring)."""
    text = equivalence_text(original, other, tactics)
    if text is None:
        a, b = lean_signature(original), lean_signature(other)
        why = ("a text does not define `problem` over its unknowns" if a is None or b is None
               else f"the round trip does not use the original's unknowns: it "
                    f"{a.difference(b)}")
        return Proof(outcome="undecided", prover="lean", reason=why)
    verdict = lean_check(text, policy=EQUIVALENCE_POLICY, config=config)
    if verdict.ok:
        return Proof(outcome="holds", prover=verdict.checker, elapsed_ms=verdict.elapsed_ms,
                     reason=f"equivalent: Lean proves `{THEOREM}` by {', '.join(tactics)}")
    return Proof(outcome="undecided", prover=verdict.checker, elapsed_ms=verdict.elapsed_ms,
                 reason=f"the tactics did not prove `{THEOREM}`: {verdict.summary()}"[:500])


def witness_text(original: str, witness: dict[str, int], other: str, into: str) -> str | None:
    """A Lean file asking `decide` whether `witness` (of one side) solves the `into` side's
    problem, or None where the witness does not give every unknown of that side a value."""
    target = lean_signature(other if into == "Roundtrip" else original)
    if target is None or any(n not in witness for n in target.names):
        return None
    imports, body = _namespaced(original, other)
    values = " ".join(str(witness[n]) if witness[n] >= 0 else f"({witness[n]})"
                      for n in target.names)
    return "\n".join([*imports, "", body,
                      f"theorem witness_solves : {into}.problem {values} := by decide\n"])


def lean_witness_agreement(original: str, original_witness: dict[str, int] | None, other: str,
                           other_witness: dict[str, int] | None, config: LeanConfig) -> Proof:
    """Whether each side's witness solves the other side's problem, by `decide` in Lean."""
    if not original_witness or not other_witness:
        return Proof(outcome="undecided", prover="lean", reason="a side has no witness")
    for witness, into, source in ((original_witness, "Roundtrip", "original"),
                                  (other_witness, "Original", "round trip")):
        text = witness_text(original, witness, other, into)
        if text is None:
            return Proof(outcome="undecided", prover="lean", reason=f"the {source}'s witness "
                         "does not give every unknown of the other side a value")
        verdict = lean_check(text, policy=ConsistencyPolicy(require=["witness_solves"]),
                             config=config)
        if not verdict.ok:
            return _refuted_or_open(verdict, witness, source)
    return Proof(outcome="holds", prover="lean", reason="each side's witness solves the other "
                 "(decide)")


def _refuted_or_open(verdict: Verdict, witness: dict[str, int], source: str) -> Proof:
    said = " ".join(m.text for m in verdict.messages)
    if verdict.status == "error" and _FALSE.search(said):
        return Proof(outcome="fails", prover=verdict.checker, counterexample=dict(witness),
                     holds_in=source, reason=f"the {source}'s witness does not solve the other "
                     "side (decide evaluates it to false)")
    return Proof(outcome="undecided", prover=verdict.checker,
                 reason=f"Lean did not decide the witness: {verdict.summary()}"[:500])
