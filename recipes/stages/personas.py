"""Steps 5–7 of the recipe: persona descriptions, a version with a domain missing, the fill-in."""

from __future__ import annotations

import random

from retrolean.recipes.backends.base import DropRequest, Failure
from retrolean.recipes.records import FillIn, Missing, PersonaText, Record, RoundTrip
from retrolean.recipes.stages.context import StageContext, StageResult
from retrolean.recipes.stages.english import summarize
from retrolean.recipes.stages.formal import draft_of
from retrolean.tools.touchstones import matching_touchstones


def personas(records: list[Record], ctx: StageContext) -> StageResult:
    """Describe every problem in several personas' voices (each persona its own process)."""
    result = StageResult()
    count = min(ctx.recipe.parameters.personas_per_problem, len(ctx.personas))
    weights = ctx.recipe.parameters.persona_weights
    chosen = {r.id: weighted_sample(ctx.rng(r.id, "personas"), sorted(ctx.personas), weights,
                                    count) for r in records}
    failures: dict[str, list[str]] = {}
    for pid, card in ctx.personas.items():
        batch = [r for r in records if pid in chosen[r.id]]
        items = [(draft_of(r), r.english.text, ctx.rng(r.id, "personas", pid)) for r in batch]
        for record, draft in zip(batch, ctx.backend.persona(items, card), strict=True):
            if isinstance(draft, Failure):
                failures.setdefault(record.id, []).append(f"{pid}: {draft.reason}")
            else:
                record.personas[pid] = PersonaText(persona=pid, text=draft.text,
                                                   segments=draft.segments, errors=draft.errors,
                                                   frames=draft.frames)
    for record in records:
        if record.personas:
            result.accepted.append(record)
        else:
            result.reject(record, "personas", "; ".join(failures.get(record.id, ["no persona"])))
        ctx.progress(1)
    return result


def weighted_sample(rng: random.Random, items: list[str], weights: dict[str, float],
                    count: int) -> list[str]:
    """`count` distinct items drawn with the given weights (default 1; uniform when none given).

    Example: weighted_sample(Random(0), ["a", "b"], {"b": 9}, 1) -> ["b"] (most of the time)
    """
    if not weights:
        return rng.sample(items, count)
    pool, out = list(items), []
    for _ in range(min(count, len(pool))):
        pick = rng.choices(pool, weights=[max(0.0, weights.get(x, 1.0)) + 1e-9 for x in pool])[0]
        pool.remove(pick)
        out.append(pick)
    return out


def missing(records: list[Record], ctx: StageContext) -> StageResult:
    """Drop one domain from a persona description; verify the domain is really gone."""
    result = StageResult()
    rate = ctx.recipe.parameters.frame_shift_rate
    threshold = ctx.recipe.thresholds.missing_similarity
    requests = []
    for r in records:
        rng = ctx.rng(r.id, "missing")
        pid = weighted_sample(rng, sorted(r.personas), ctx.recipe.parameters.persona_weights, 1)[0]
        dropped = rng.choice(r.domains)
        persona = r.personas[pid]
        requests.append((DropRequest(spec=draft_of(r).spec, segments=persona.segments,
                                     text=persona.text, dropped=dropped,
                                     persona=ctx.personas[pid], frame_shift=rng.random() < rate),
                         rng))
    outs = ctx.backend.drop(requests)
    kept = []
    for record, (req, _), out in zip(records, requests, outs, strict=True):
        if isinstance(out, Failure):
            result.reject(record, "missing", out.reason)
            ctx.progress(1)
            continue
        record.missing = Missing(dropped=req.dropped, frame_shifted=req.frame_shift,
                                 frames=out.frames, persona=req.persona.id, text=out.text)
        kept.append(record)
    drafts = ctx.backend.reformalize([r.missing.text for r in kept], ctx.language)
    pairs, paired = [], []
    for record, draft in zip(kept, drafts, strict=True):
        text = "" if isinstance(draft, Failure) else draft.text
        domains = [] if isinstance(draft, Failure) or not draft.spec else draft.spec.domains
        record.missing.roundtrip = RoundTrip(text=text, domains=domains,
                                             similarity=0.0 if not text else None)
        if text:
            pairs.append((record.formal.text, text))
            paired.append(record)
    for record, sim in zip(paired, ctx.formal_similarities(pairs), strict=True):
        record.missing.roundtrip.similarity = sim
    for record in kept:
        m = record.missing
        patterns = getattr(ctx.domains[m.dropped].touchstones, ctx.language)
        present = matching_touchstones(m.roundtrip.text, patterns, ctx.language)
        m.touchstones_absent = not present
        if present:
            result.reject(record, "missing", f"dropped domain {m.dropped} still appears "
                          f"(touchstone {present[0]!r})")
        elif m.roundtrip.similarity >= threshold:
            result.reject(record, "missing", f"missing-domain version still too close to the "
                          f"full problem ({m.roundtrip.similarity:.3f} >= {threshold})")
        else:
            result.accepted.append(record)
        ctx.progress(1)
    result.figures["similarity"] = summarize([r.missing.roundtrip.similarity for r in kept])
    result.figures["frame_shifted"] = sum(r.missing.frame_shifted for r in kept)
    return result


def fill_in(records: list[Record], ctx: StageContext) -> StageResult:
    """Write the assistant turn that introduces the dropped domain and what it solves."""
    result = StageResult()
    items = [(draft_of(r), r.missing.dropped, ctx.rng(r.id, "fill_in")) for r in records]
    for record, out in zip(records, ctx.backend.fill_in(items), strict=True):
        if isinstance(out, Failure):
            result.reject(record, "fill_in", out.reason)
        else:
            record.fill_in = FillIn(domain=record.missing.dropped, text=out)
            result.accepted.append(record)
        ctx.progress(1)
    return result
