"""The proofs a stage asks for, named, so they can run wherever the run's checker runs.

A proof is one of four kinds, each a plain function of its item and the run's prover
settings (`ProverConfig`): `prove("equivalence", (original, other), language, config)`.
The toolbox runs a batch of them in a few threads in this process; the Ray executor
sends them to its checker actors instead (`agent/executors/ray_workers.py`), where
Z3 and — for Lean — the REPL pool with its header environment already live. Either
way each item gets the same proof: the kind and item say everything the prover reads.

- `equivalence`: (original, other) over one signature — are they equivalent?
- `witness_agreement`: (original, its witness, other, its witness) — does each
  witness solve the other side?
- `interaction`: (SMT-LIB problem, domains' touchstones) — connected, links needed?
- `missing`: (missing-domain version, original, dropped domain, touchstones), all
  SMT-LIB — is the dropped domain's part no longer entailed?

Example: prove("equivalence", ("(declare-const x Int)(assert (> x 2))",
               "(declare-const x Int)(assert (>= x 3))"), FormalLanguage.SMTLIB2,
               ProverConfig()).outcome -> "holds"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from retrolean.memory.languages import FormalLanguage
from retrolean.tools import smt_proofs
from retrolean.tools.lean_check import LeanConfig
from retrolean.tools.lean_check.config import LeanSettings
from retrolean.tools.lean_proofs import DEFAULT_TACTICS, lean_equivalence, lean_witness_agreement
from retrolean.tools.proof import Proof
from retrolean.tools.smt_proofs import Interaction, MissingProof

ProofKind = Literal["equivalence", "witness_agreement", "interaction", "missing"]
Proved = Proof | Interaction | MissingProof
BatchProver = Callable[[ProofKind, list[Any], FormalLanguage], list[Any]]  # items -> proofs


class ProverSettings(LeanSettings, Protocol):
    """The part of the program's settings the provers read (structural: tools never import
    the agent)."""

    z3_timeout_ms: int
    lean_tactics: list[str]


@dataclass(frozen=True)
class ProverConfig:
    """What every proof reads besides its item: Z3's time limit, Lean and its tactics."""

    z3_timeout_ms: int = 5000
    lean: LeanConfig = field(default_factory=LeanConfig)
    lean_tactics: tuple[str, ...] = DEFAULT_TACTICS  # tried in order on the `↔` theorem

    @classmethod
    def from_settings(cls, settings: ProverSettings) -> ProverConfig:
        """The provers' part of the program's settings."""
        return cls(settings.z3_timeout_ms, LeanConfig.from_settings(settings),
                   tuple(settings.lean_tactics))


def prove(kind: ProofKind, item: Any, language: FormalLanguage, config: ProverConfig
          ) -> Proved:
    """One proof of `kind` about `item`, by the prover of `language` (see the module
    docstring for each kind's item)."""
    lean = language == FormalLanguage.LEAN4
    timeout = config.z3_timeout_ms
    if kind == "equivalence":
        original, other = item
        return (lean_equivalence(original, other, config.lean, config.lean_tactics) if lean
                else smt_proofs.equivalence(original, other, timeout))
    if kind == "witness_agreement":
        return (lean_witness_agreement(*item, config.lean) if lean
                else smt_proofs.witness_agreement(*item, timeout))
    if kind == "interaction":
        return smt_proofs.interaction(item[0], item[1], timeout)
    if kind == "missing":
        return smt_proofs.missing_domain(*item, timeout)
    raise ValueError(f"unknown proof kind {kind!r}")
