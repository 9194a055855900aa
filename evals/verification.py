"""How each record of a run was verified: which method decided each check, and interaction.

Read from the sets as the run wrote them. Per check, the decisions by method
and outcome over every record the stage measured (`equivalence: pass`,
`witness: fail`, `similarity: pass`, `none: undecided`, …); and over the final
set, how the domains interact: links, links that add a constraint
(non-redundant), connected problems. A set where every final problem is
connected and every link non-redundant shows `interaction.vacuous_links` 0.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from retrolean.evals.runs import RunView


class Verification(BaseModel):
    """Decisions by method per check, and the final set's interaction figures."""

    roundtrip: dict[str, int] = Field(default_factory=dict)  # "method: outcome" -> records
    missing: dict[str, int] = Field(default_factory=dict)
    presence: dict[str, int] = Field(default_factory=dict)  # method -> domains judged
    interaction: dict[str, int] = Field(default_factory=dict)


def _decisions(records: list[dict[str, Any]], *path: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for r in records:
        node: Any = r
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and node.get("outcome"):
            counts[f"{node.get('method') or 'none'}: {node['outcome']}"] += 1
    return dict(sorted(counts.items()))


def verification(run: RunView) -> Verification:
    """The run's verification figures (see the module docstring)."""
    out = Verification()
    if "roundtrip" in run.stages:
        measured = run.accepted("roundtrip") + run.rejected("roundtrip")
        out.roundtrip = _decisions(measured, "english", "roundtrip")
    if "missing" in run.stages:
        out.missing = _decisions(run.accepted("missing") + run.rejected("missing"), "missing")
    if "presence" in run.stages:
        out.presence = dict(Counter(
            p.get("method") or "unrecorded" for r in run.accepted("presence")
            + run.rejected("presence") for p in (r.get("presence") or {}).values()))
    final = [r["formal"]["interaction"] for r in run.final()
             if (r.get("formal") or {}).get("interaction")]
    if final:
        links = sum(i["links"] for i in final)
        needed = sum(i["non_redundant"] for i in final)
        out.interaction = {"problems": len(final), "links": links,
                           "non_redundant_links": needed, "vacuous_links": links - needed,
                           "connected": sum(bool(i["connected"]) for i in final)}
    return out
