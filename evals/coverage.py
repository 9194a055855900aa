"""Counting measures: domain coverage and co-occurrence, conversation template mix, lengths.

Coverage is measured twice: over the sampled problems (how evenly the sampler
spread domains and pairs) and over the final set (what the data holds after
the stages' rejects). Evenness compares counts with a uniform spread over the
domains seen in the sample. Trade-off: the domain pool is read off the sample,
not the catalog, so a domain never sampled at all is invisible here (with k
domains per problem and n problems that only happens when n·k is small).
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any

from pydantic import BaseModel

from retrolean.evals.stats import Evenness, Summary, evenness, summarize


class DomainCoverage(BaseModel):
    """How often each domain and each pair of domains occurs in a set of problems."""

    records: int
    counts: dict[str, int]
    evenness: Evenness
    pairs_possible: int
    pairs_covered: int
    pair_evenness: Evenness
    pair_counts: list[tuple[str, str, int]]
    distinct_combinations: float  # share of problems whose domain set no other problem has


class TemplateMix(BaseModel):
    """Conversations per template and per persona."""

    conversations: int
    templates: dict[str, int]
    personas: dict[str, int]
    evenness: Evenness
    turns: Summary


def domain_pool(records: list[dict[str, Any]]) -> list[str]:
    """Every domain that occurs in the records, sorted."""
    return sorted({d for r in records for d in r.get("domains", [])})


def domain_coverage(records: list[dict[str, Any]], pool: list[str]) -> DomainCoverage:
    """Domain and pair counts over `pool`, with their evenness against a uniform spread."""
    counts = Counter(d for r in records for d in r.get("domains", []))
    pairs = Counter(tuple(sorted(p)) for r in records
                    for p in combinations(sorted(set(r.get("domains", []))), 2))
    all_pairs = list(combinations(pool, 2))
    combos = Counter(frozenset(r.get("domains", [])) for r in records)
    unique = sum(1 for r in records if combos[frozenset(r.get("domains", []))] == 1)
    return DomainCoverage(
        records=len(records), counts={d: counts.get(d, 0) for d in pool},
        evenness=evenness([counts.get(d, 0) for d in pool]),
        pairs_possible=len(all_pairs), pairs_covered=sum(1 for p in all_pairs if pairs.get(p)),
        pair_evenness=evenness([pairs.get(p, 0) for p in all_pairs]),
        pair_counts=[(a, b, n) for (a, b), n in sorted(pairs.items())],
        distinct_combinations=round(unique / len(records), 4) if records else 1.0)


def survival(sampled: DomainCoverage, final: DomainCoverage) -> dict[str, float]:
    """Per domain: the share of its sampled problems that reached the final set."""
    return {d: round(final.counts.get(d, 0) / n, 4) for d, n in sampled.counts.items() if n}


def template_mix(records: list[dict[str, Any]]) -> TemplateMix:
    """Which conversation templates and personas the final set's conversations use."""
    convs = [c for r in records for c in r.get("conversations", [])]
    templates = Counter(c.get("template", "?") for c in convs)
    return TemplateMix(conversations=len(convs), templates=dict(templates.most_common()),
                       personas=dict(Counter(c.get("persona", "?") for c in convs)
                                     .most_common()),
                       evenness=evenness(list(templates.values())),
                       turns=summarize([len(c.get("messages", [])) for c in convs]))


def _words(text: str | None) -> int:
    return len((text or "").split())


def text_lengths(records: list[dict[str, Any]]) -> dict[str, Summary]:
    """Length summaries per kind of text: formal in characters, the rest in words."""
    kinds: dict[str, list[float]] = {"formal (chars)": [], "english": [], "missing": [],
                                     "fill_in": [], "conversation": []}
    for r in records:
        if r.get("formal"):
            kinds["formal (chars)"].append(len(r["formal"].get("text", "")))
        if r.get("english"):
            kinds["english"].append(_words(r["english"].get("text")))
        for pid, p in sorted((r.get("personas") or {}).items()):
            kinds.setdefault(f"persona:{pid}", []).append(_words(p.get("text")))
        if r.get("missing"):
            kinds["missing"].append(_words(r["missing"].get("text")))
        if r.get("fill_in"):
            kinds["fill_in"].append(_words(r["fill_in"].get("text")))
        for c in r.get("conversations", []):
            kinds["conversation"].append(sum(_words(m.get("content"))
                                             for m in c.get("messages", [])))
    return {kind: summarize(values) for kind, values in kinds.items() if values}
