"""Step 4 of the recipe: caption in English, verified by a formal → English → formal round trip."""

from __future__ import annotations

from retrolean.recipes.backends.base import Failure, FormalDraft
from retrolean.recipes.records import English, Record, RoundTrip
from retrolean.recipes.stages.context import StageContext, StageResult
from retrolean.recipes.stages.formal import draft_of


def caption(records: list[Record], ctx: StageContext) -> StageResult:
    """Give every formal problem a plain-English caption."""
    result = StageResult()
    rate = ctx.recipe.parameters.caption_concise_rate
    items = [(draft_of(r), ctx.rng(r.id, "caption")) for r in records]
    outs = ctx.generate("caption", items, lambda: ctx.backend.caption(items, rate))
    for record, out in zip(records, outs, strict=True):
        if isinstance(out, Failure):
            result.reject(record, "caption", out.reason)
        else:
            text, concise = out
            record.english = English(text=text, concise=concise)
            result.accepted.append(record)
        ctx.progress(1)
    return result


def roundtrip(records: list[Record], ctx: StageContext) -> StageResult:
    """Formalize each caption again; it must check and be close to the original formal text."""
    result = StageResult()
    threshold = ctx.recipe.thresholds.roundtrip_similarity
    texts = [r.english.text for r in records]  # type: ignore[union-attr]
    drafts = ctx.generate(f"reformalize.{ctx.language}", texts,
                          lambda: ctx.backend.reformalize(texts, ctx.language))
    found = iter(ctx.check([d for d in drafts if isinstance(d, FormalDraft)]))
    checked = []
    for record, draft in zip(records, drafts, strict=True):
        if isinstance(draft, Failure):
            result.reject(record, "roundtrip", f"caption could not be formalized again: "
                          f"{draft.reason}")
            ctx.progress(1)
            continue
        verdicts = next(found)
        record.english.roundtrip = RoundTrip(
            text=draft.text, check=verdicts.verdict, checks=verdicts.checks,
            domains=draft.spec.domains if draft.spec else [])
        checked.append(record)
    sims = ctx.tools.formal_similarities(
        [(r.formal.text, r.english.roundtrip.text) for r in checked], ctx.language)
    for record, sim in zip(checked, sims, strict=True):
        rt = record.english.roundtrip
        rt.similarity = sim
        if not rt.check.ok:
            result.reject(record, "roundtrip", f"round-trip formal text does not check: "
                          f"{rt.check.summary()}")
        elif sim < threshold:
            result.reject(record, "roundtrip", f"round-trip similarity {sim:.3f} below "
                          f"{threshold}")
        else:
            result.accepted.append(record)
        ctx.progress(1)
    return result  # its similarity figures: a measure over the whole stage (stages/__init__)


def roundtrip_similarity(record: Record) -> float | None:
    """The round trip's similarity to the original, where the caption was formalized again."""
    rt = record.english.roundtrip if record.english else None
    return rt.similarity if rt else None
