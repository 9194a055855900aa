"""A formal problem's signature: its declared unknowns and their sorts, never its constraints.

The round trip gives the reformalizer the original's signature so both texts
speak of the same unknowns and a prover can compare them; the missing-domain
check compares under it too. It lives in `memory`, beside `FormalLanguage`,
because it is shared vocabulary: tools read it off a text, skills formalize
over it, records and prompts carry it.

Example: Signature.of_names(["x", "y"]).render("smtlib2")
  -> "(declare-const x Int)\\n(declare-const y Int)"
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from retrolean.memory.languages import FormalLanguage

_LEAN_SORTS = {"Int": "Int", "Bool": "Prop", "Real": "Real"}


class Unknown(BaseModel):
    """One declared unknown: its name and its sort as SMT-LIB writes it (Int, Bool, …)."""

    model_config = ConfigDict(frozen=True)

    name: str
    sort: str = "Int"


class Signature(BaseModel):
    """The declared unknowns of a problem, in declaration order."""

    model_config = ConfigDict(frozen=True)

    unknowns: tuple[Unknown, ...] = ()

    @classmethod
    def of_names(cls, names: list[str], sort: str = "Int") -> Signature:
        """A signature of integer (or `sort`) unknowns. Example: of_names(["x"]).names -> ["x"]."""
        return cls(unknowns=tuple(Unknown(name=n, sort=sort) for n in names))

    @property
    def names(self) -> list[str]:
        return [u.name for u in self.unknowns]

    def same_as(self, other: Signature) -> bool:
        """Whether both declare the same names with the same sorts (order aside)."""
        return {(u.name, u.sort) for u in self.unknowns} == {(u.name, u.sort)
                                                             for u in other.unknowns}

    def difference(self, other: Signature) -> str:
        """How `other` differs from this one, in words ('' when the same).

        Example: of_names(["x", "y"]).difference(of_names(["x", "z"]))
                 -> "lacks y; declares z, which is not in the signature"
        """
        mine = {(u.name, u.sort) for u in self.unknowns}
        theirs = {(u.name, u.sort) for u in other.unknowns}
        parts = []
        lacking = sorted(n for n, _ in mine - theirs)
        extra = sorted(n for n, _ in theirs - mine)
        if lacking:
            parts.append("lacks " + _some(lacking))
        if extra:
            parts.append("declares " + _some(extra) + ", which "
                         + ("is" if len(extra) == 1 else "are") + " not in the signature")
        return "; ".join(parts)

    def render(self, language: FormalLanguage) -> str:
        """The declarations as the language writes them (Lean: binders grouped by sort)."""
        if FormalLanguage(language) == FormalLanguage.LEAN4:
            groups: dict[str, list[str]] = {}
            for u in self.unknowns:
                groups.setdefault(_LEAN_SORTS.get(u.sort, u.sort), []).append(u.name)
            return " ".join(f"({' '.join(names)} : {sort})" for sort, names in groups.items())
        return "\n".join(f"(declare-const {u.name} {u.sort})" for u in self.unknowns)


def _some(names: list[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
