"""Step 4 of the recipe: caption in English, verified by a formal → English → formal round trip.

The caption is formalized again over the original's signature (its declared
unknowns, never its constraints) and a prover compares the two problems:

1. `equivalence`: Z3 proves original ⇔ round trip (SMT-LIB), or Lean proves the
   generated `↔` theorem (Lean 4). Refuted: rejected, with the counterexample.
2. `witness`, where equivalence could not be decided (a time-out, other
   unknowns, tactics too weak): each side's witness must solve the other.
3. `similarity`, where neither could: the recorded similarity must reach the
   recipe's threshold.

The similarity is computed and recorded for every pair; it decides only in
step 3. A caption that could not be formalized again (unreadable, a model
that asked back instead of answering) or whose reformalization does not check
is rejected: nothing passes undecided. The method that decided is recorded
(`english.roundtrip.method`). On the model backend a refuted caption is
written again once, with the counterexample as feedback to the *captioner*
— the reformalizer stays blind to the original, or the round trip would
verify nothing — and the new caption goes round again.
"""

from __future__ import annotations

import statistics
from collections import Counter

from retrolean.recipes.backends.base import Failure, FormalDraft, Reformalize
from retrolean.recipes.records import English, Record, RoundTrip
from retrolean.recipes.stages.context import Checked, StageContext, StageResult
from retrolean.recipes.stages.formal import draft_of
from retrolean.tools.formal_text import code_in_caption
from retrolean.tools.proof import Proof, shown
from retrolean.tools.signatures import signature_of
from retrolean.tools.verdict import Verdict

RECAPTIONS = 1  # model backend: how many times a refuted caption is written again
def caption(records: list[Record], ctx: StageContext) -> StageResult:
    """Give every formal problem a plain-English caption (English: no code identifiers)."""
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
            code = code_in_caption(text, record.formal.text, ctx.language)  # type: ignore[union-attr]
            if code:
                result.reject(record, "caption", f"not an English caption: it contains {code}")
            else:
                result.accepted.append(record)
        ctx.progress(1)
    return result


def roundtrip(records: list[Record], ctx: StageContext) -> StageResult:
    """Formalize each caption again over the original's signature; a prover compares them."""
    result = StageResult()
    todo = records
    for attempt in range(RECAPTIONS + 1):
        refuted = verify_round_trip(todo, ctx, result)
        again = [r for r in refuted if r.english.roundtrip.counterexample  # type: ignore[union-attr]
                 and ctx.backend.client is not None and attempt < RECAPTIONS]
        for record in refuted:
            if record not in again:
                reject_refuted(result, record)
        if not again:
            break
        todo = _recaption(again, ctx, result)
    ctx.progress(len(records))
    checked = [r.english.roundtrip for r in records
               if r.english and r.english.roundtrip and r.english.roundtrip.similarity is not None]
    result.figures["similarity"] = similarity_figures([rt.similarity for rt in checked])
    result.figures["method"] = dict(sorted(Counter(
        f"{rt.method or 'none'}: {rt.outcome}" for r in records if r.english
        for rt in [r.english.roundtrip] if rt).items()))
    return result


def formalize_again(records: list[Record], texts: list[str], ctx: StageContext, *,
                    exact: bool) -> list[tuple[FormalDraft | Failure, Checked | None]]:
    """Each text formalized again over its record's signature (exactly, or loosely) and
    checked by the stage's checkers: (draft or failure, its check where there is a draft)."""
    items = [Reformalize(text, signature_of(r.formal.text, ctx.language), exact=exact)  # type: ignore[union-attr]
             for r, text in zip(records, texts, strict=True)]
    drafts = ctx.generate(f"reformalize.{ctx.language}", items,
                          lambda: ctx.backend.reformalize(items, ctx.language))
    found = iter(ctx.check([d for d in drafts if isinstance(d, FormalDraft)]))
    return [(d, next(found) if isinstance(d, FormalDraft) else None) for d in drafts]


def verify_round_trip(records: list[Record], ctx: StageContext, result: StageResult
                      ) -> list[Record]:
    """One round trip of each record's caption: accept it into `result`, reject it as
    undecided, or return it among those refuted (for `reject_refuted`, or a new caption)."""
    threshold = ctx.recipe.thresholds.roundtrip_similarity
    again = formalize_again(records, [r.english.text for r in records], ctx,  # type: ignore[union-attr]
                            exact=True)
    checked: list[Record] = []
    for record, (draft, verdicts) in zip(records, again, strict=True):
        english = record.english
        assert english is not None and record.formal is not None
        if isinstance(draft, Failure):
            english.roundtrip = RoundTrip(text="", outcome="undecided",
                                          reason=f"could not be formalized again: {draft.reason}")
            result.reject(record, "roundtrip", f"undecided: the caption could not be "
                          f"formalized again ({draft.reason})",
                          kind="undecided: caption not formalized again")
            continue
        assert verdicts is not None
        english.roundtrip = RoundTrip(text=draft.text, check=verdicts.verdict,
                                      checks=verdicts.checks,
                                      domains=draft.spec.domains if draft.spec else [])
        if not verdicts.verdict.ok:
            english.roundtrip.outcome = "undecided"
            english.roundtrip.reason = "the round trip does not check"
            result.reject(record, "roundtrip", f"undecided: the round-trip formal text does not "
                          f"check: {verdicts.verdict.summary()}",
                          kind=f"undecided: round trip {verdicts.verdict.status}")
        else:
            checked.append(record)
    pairs = [(r.formal.text, r.english.roundtrip.text) for r in checked]  # type: ignore[union-attr]
    sims = ctx.tools.formal_similarities(pairs, ctx.language)
    proofs = ctx.tools.equivalences(pairs, ctx.language)
    open_ = [i for i, p in enumerate(proofs) if p.outcome == "undecided"]
    witnesses = ctx.tools.witness_agreements(
        [(pairs[i][0], _witness(checked[i].formal.check),  # type: ignore[union-attr]
          pairs[i][1], _witness(checked[i].english.roundtrip.check))  # type: ignore[union-attr]
         for i in open_], ctx.language) if open_ else []
    fallback = dict(zip(open_, witnesses, strict=True))
    refuted = []
    for i, record in enumerate(checked):
        rt = record.english.roundtrip  # type: ignore[union-attr]
        rt.similarity = sims[i]
        _decide(rt, proofs[i], fallback.get(i), threshold)
        if rt.outcome == "pass":
            result.accepted.append(record)
        else:
            refuted.append(record)
    return refuted


def _witness(verdict: Verdict | None) -> dict[str, int] | None:
    return verdict.witness if verdict is not None else None


def _decide(rt: RoundTrip, equivalence: Proof, witness: Proof | None, threshold: float) -> None:
    """Fill in the round trip's method, outcome, reason and counterexample (module docstring)."""
    rt.proofs = [equivalence] + ([witness] if witness else [])
    deciding = equivalence if witness is None else witness
    if deciding.outcome != "undecided":
        rt.method = "equivalence" if witness is None else "witness"
        rt.outcome = "pass" if deciding.holds else "fail"
        rt.reason = deciding.reason
        rt.counterexample = deciding.counterexample
        return
    rt.method = "similarity"
    assert rt.similarity is not None
    rt.outcome = "pass" if rt.similarity >= threshold else "fail"
    rt.reason = (f"no formal verdict ({deciding.reason}); similarity {rt.similarity:.3f} "
                 f"{'≥' if rt.outcome == 'pass' else '<'} {threshold}")


def reject_refuted(result: StageResult, record: Record) -> None:
    """Reject a refuted record with its method, reason and counterexample."""
    rt = record.english.roundtrip  # type: ignore[union-attr]
    assert rt is not None
    if rt.method == "similarity":
        result.reject(record, "roundtrip", f"round trip {rt.reason}")
        return
    example = f"; counterexample: {shown(rt.counterexample)}" if rt.counterexample else ""
    result.reject(record, "roundtrip", f"round trip refuted by {rt.method}: {rt.reason}"
                  f"{example}", kind=f"refuted by {rt.method}")


def feedback(rt: RoundTrip) -> str:
    """What a refuted round trip tells the captioner: the assignment and which side it meets."""
    values = shown(rt.counterexample)
    if rt.proofs and rt.proofs[-1].holds_in == "original":
        return (f"Someone formalized your caption again, and the result is a different problem: "
                f"the assignment {values} satisfies the formal problem but not what your caption "
                "says. Your caption adds or misstates a condition. Write the caption again, "
                "stating every part, figure, bound and link exactly as the formal problem has it.")
    return (f"Someone formalized your caption again, and the result is a different problem: the "
            f"assignment {values} satisfies what your caption says but not the formal problem. "
            "Your caption leaves out or misstates a condition. Write the caption again, stating "
            "every part, figure, bound and link exactly as the formal problem has it.")


def _recaption(records: list[Record], ctx: StageContext, result: StageResult) -> list[Record]:
    """Caption the refuted records again with their counterexample; those captioned go round
    again, the others are rejected."""
    items = [(draft_of(r), ctx.rng(r.id, "caption", "again")) for r in records]
    notes: list[str | None] = [feedback(r.english.roundtrip) for r in records]  # type: ignore[union-attr, arg-type]
    outs = ctx.generate("caption", items, lambda: ctx.backend.caption(
        items, ctx.recipe.parameters.caption_concise_rate, notes))
    again = []
    for record, out in zip(records, outs, strict=True):
        english = record.english
        assert english is not None
        if isinstance(out, Failure) or code_in_caption(out[0], record.formal.text,  # type: ignore[union-attr]
                                                       ctx.language):
            reject_refuted(result, record)
            continue
        english.text, english.concise = out
        english.recaptions += 1
        again.append(record)
    return again


def similarity_figures(values: list[float]) -> dict[str, float]:
    """A stage's similarity figures for its report: count, min, median, mean and max.

    Example: similarity_figures([0.9, 1.0]) -> {"count": 2, "min": 0.9, "median": 0.95, …}
    """
    if not values:
        return {"count": 0}
    return {"count": len(values), "min": min(values), "median": statistics.median(values),
            "mean": round(statistics.fmean(values), 4), "max": max(values)}
