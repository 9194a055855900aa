"""Steps 5–7 of the recipe: persona descriptions, a version with a domain missing, the fill-in."""

from __future__ import annotations

import random
from collections import Counter

from retrolean.recipes.backends.base import DropRequest, Failure, FormalDraft
from retrolean.recipes.records import FillInTurn, Missing, PersonaText, Record, RoundTrip
from retrolean.recipes.stages.context import StageContext, StageResult
from retrolean.recipes.stages.english import formalize_again
from retrolean.recipes.stages.formal import draft_of, smt_texts
from retrolean.tools.smt_proofs import MissingProof


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
        drafts = ctx.generate(f"persona.{pid}", items,
                              lambda items=items, card=card: ctx.backend.persona(items, card))
        for record, draft in zip(batch, drafts, strict=True):
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
    """Drop one domain from a persona description; prove the domain is really gone.

    The version is formalized again (loosely: personas are lossy) over the original's
    signature and must check; the dropped domain's touchstones must be absent from it; and
    Z3 must find an assignment that satisfies the version and violates the dropped domain's
    own constraints (it does not entail them). Which remaining domains it still entails is
    recorded, not required. Where no prover can decide (a model's Lean text), the recorded
    similarity must stay below the recipe's threshold instead (method says which). A version
    that could not be formalized, or does not check, is rejected: nothing passes undecided.
    """
    result = StageResult()
    rate = ctx.recipe.parameters.frame_shift_rate
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
    outs = ctx.generate("drop_domain", requests, lambda: ctx.backend.drop(requests))
    kept = []
    for record, (req, _), out in zip(records, requests, outs, strict=True):
        if isinstance(out, Failure):
            result.reject(record, "missing", out.reason)
            ctx.progress(1)
            continue
        record.missing = Missing(dropped=req.dropped, frame_shifted=req.frame_shift,
                                 frames=out.frames, persona=req.persona.id, text=out.text)
        kept.append(record)
    verify_missing(kept, ctx, result)  # its similarity figures: a measure (stages/__init__)
    result.figures["frame_shifted"] = sum(r.missing.frame_shifted for r in kept)  # type: ignore[union-attr]
    result.figures["method"] = dict(sorted(Counter(
        f"{r.missing.method}: {r.missing.outcome}" for r in kept).items()))  # type: ignore[union-attr]
    return result


def verify_missing(kept: list[Record], ctx: StageContext, result: StageResult) -> list[float]:
    """Verify each record's missing-domain version (`record.missing.text`): accept or reject
    it into `result` (see `missing`); the similarities measured, in order."""
    threshold = ctx.recipe.thresholds.missing_similarity
    again = formalize_again(kept, [r.missing.text for r in kept], ctx, exact=False)  # type: ignore[union-attr]
    formed: list[tuple[Record, FormalDraft]] = []
    for record, (draft, checked) in zip(kept, again, strict=True):
        m = record.missing
        assert m is not None
        if isinstance(draft, Failure):
            m.roundtrip, m.outcome = RoundTrip(text=""), "undecided"
            result.reject(record, "missing", f"undecided: the missing-domain version could not "
                          f"be formalized again ({draft.reason})",
                          kind="undecided: version not formalized again")
            ctx.progress(1)
            continue
        assert checked is not None
        m.roundtrip = RoundTrip(text=draft.text, check=checked.verdict, checks=checked.checks,
                                domains=draft.spec.domains if draft.spec else [])
        if not checked.verdict.ok:
            m.outcome = "undecided"
            result.reject(record, "missing", f"undecided: the missing-domain version's "
                          f"formalization does not check: {checked.verdict.summary()}",
                          kind=f"undecided: version {checked.verdict.status}")
            ctx.progress(1)
            continue
        formed.append((record, draft))
    versions = [r for r, _ in formed]
    sims = ctx.tools.formal_similarities(
        [(r.formal.text, r.missing.roundtrip.text) for r in versions], ctx.language)  # type: ignore[union-attr]
    present = ctx.tools.touchstones(
        [(r.missing.roundtrip.text, ctx.domains[r.missing.dropped].touchstones.of(ctx.language))  # type: ignore[union-attr]
         for r in versions], ctx.language)
    proofs = _missing_proofs(ctx, formed)
    for record, sim, matched, proof in zip(versions, sims, present, proofs, strict=True):
        m = record.missing
        assert m is not None and m.roundtrip is not None
        m.roundtrip.similarity, m.touchstones_absent = sim, not matched
        if proof is not None:
            m.proof, m.entails = proof.dropped, proof.entails
        decided = proof is not None and proof.dropped.outcome != "undecided"
        m.method = "touchstones+z3" if decided else "touchstones+similarity"
        if matched:
            m.outcome = "fail"
            result.reject(record, "missing", f"dropped domain {m.dropped} still appears "
                          f"(touchstone {matched[0]!r})", kind="dropped domain still appears")
        elif decided and not proof.dropped.holds:  # type: ignore[union-attr]
            m.outcome = "fail"
            result.reject(record, "missing", f"dropped domain {m.dropped} is still entailed: "
                          f"{proof.dropped.reason}",  # type: ignore[union-attr]
                          kind="dropped domain still entailed")
        elif not decided and sim >= threshold:
            m.outcome = "fail"
            why = proof.dropped.reason if proof is not None else "no prover for this language"
            result.reject(record, "missing", f"missing-domain version still too close to the "
                          f"full problem (similarity {sim:.3f} >= {threshold}; no formal "
                          f"verdict: {why})",
                          kind="missing-domain version too close to the full problem")
        else:
            m.outcome = "pass"
            result.accepted.append(record)
        ctx.progress(1)
    return sims


def _missing_proofs(ctx: StageContext, formed: list[tuple[Record, FormalDraft]]
                    ) -> list[MissingProof | None]:
    """Z3's missing-domain proof per version (None where there is no SMT-LIB form to prove
    on: a model's Lean text)."""
    if not formed:
        return []
    originals = smt_texts(ctx, [draft_of(r) for r, _ in formed])
    versions = smt_texts(ctx, [d for _, d in formed])
    asked = [(v, o, r.missing.dropped,  # type: ignore[union-attr]
              {d: list(ctx.domains[d].touchstones.smtlib2) for d in r.domains})
             for (r, _), o, v in zip(formed, originals, versions, strict=True)
             if o is not None and v is not None]
    found = iter(ctx.tools.missing_proofs(asked) if asked else [])
    return [next(found) if o is not None and v is not None else None
            for o, v in zip(originals, versions, strict=True)]


def missing_similarity(record: Record) -> float | None:
    """How close the missing-domain version's formalization is to the full problem."""
    rt = record.missing.roundtrip if record.missing else None
    return rt.similarity if rt else None


def fill_in(records: list[Record], ctx: StageContext) -> StageResult:
    """Write the assistant turn that introduces the dropped domain and what it solves."""
    result = StageResult()
    items = [(draft_of(r), r.missing.dropped, ctx.rng(r.id, "fill_in")) for r in records]
    outs = ctx.generate("fill_in", items, lambda: ctx.backend.fill_in(items))
    for record, out in zip(records, outs, strict=True):
        if isinstance(out, Failure):
            result.reject(record, "fill_in", out.reason)
        else:
            record.fill_in = FillInTurn(domain=record.missing.dropped, text=out)
            result.accepted.append(record)
        ctx.progress(1)
    return result
