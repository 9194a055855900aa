"""`eval model`: benchmark a model endpoint on a generated set.

Each problem of the set's final stage is posed twice (`--variants`): as its
missing-domain description (a persona's text with one domain replaced by its
need) and as that same persona's full description. The model is asked for the
rigorous formal problem in the set's language; every answer is scored
(`evals.bench_score`): it parses, it checks, the dropped domain's touchstones
come back, the share of the problem's domains present, and the embedding
similarity of its formal content to the gold problem's. Means carry seeded
bootstrap 95% intervals, overall and per persona and per dropped domain.

Answers go to `runs/<set>/bench/<model>-<time>/answers.jsonl` (one line per
item, failures included) with `summary.json` beside them, committed to the
workspace; calls are cached in `runs/<set>/bench/model-cache.sqlite` (not
committed), so a killed benchmark resumes without asking again. A call that
fails after its retries is recorded on its item and left out of the means
(the summary counts them); an answer that does not parse scores zero.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from retrolean.evals.bench_prompt import glossary, load_benchmark_prompt, render_prompt
from retrolean.evals.bench_score import METRICS, AnswerChecker, Score, score_answer
from retrolean.evals.runs import RunView
from retrolean.evals.stats import Interval, bootstrap_ci
from retrolean.memory.atomic import write_lines_atomic, write_text_atomic
from retrolean.memory.errors import UserError
from retrolean.memory.languages import FormalLanguage
from retrolean.memory.runs import locate_run
from retrolean.memory.workspace import Workspace
from retrolean.recipes.catalog_loader import load_catalog
from retrolean.tools.embed_similarity import DEFAULT_MODEL, Embedder
from retrolean.tools.formal_text import content_for_embedding
from retrolean.tools.generate import (
    CallFailure,
    ChatMessage,
    CompletionRequest,
    ModelClient,
    ModelConfig,
    ResponseCache,
)
from retrolean.tools.lean_check import ConsistencyPolicy, LeanConfig, detect_lean, lean_check
from retrolean.tools.smt_check import smt_check

log = logging.getLogger(__name__)

Variant = Literal["missing", "persona"]
VARIANTS: tuple[Variant, ...] = ("missing", "persona")
Table = dict[str, dict[str, Interval]]


class BenchItem(BaseModel):
    """One prompt of the benchmark: a description of a set's problem, and what it hides."""

    item_id: str
    record_id: str
    variant: Variant
    persona: str
    dropped: str
    domains: list[str]
    description: str


class BenchAnswer(BenchItem):
    """An item with the model's answer (or the call's failure) and its scores."""

    model: str
    prompt_version: str
    text: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    cached: bool = False
    error: str | None = None
    score: Score | None = None


class BenchSummary(BaseModel):
    """The benchmark's means with bootstrap intervals, and where its answers are."""

    model: str
    base_url: str
    set_run: str
    set_stage: str
    language: FormalLanguage
    prompt_version: str
    glossary: bool
    created: str
    seed: int
    items: int
    answered: int
    call_failures: int
    parse_failures: int
    overall: dict[str, dict[str, Interval]]
    by_persona: dict[str, Table]
    by_domain: dict[str, Table]
    answers: str


def bench_items(records: list[dict[str, Any]], variants: tuple[Variant, ...]) -> list[BenchItem]:
    """The benchmark's items: per record with a missing-domain version, one per variant."""
    items = []
    for r in records:
        m = r.get("missing") or {}
        persona_text = ((r.get("personas") or {}).get(m.get("persona", "")) or {}).get("text")
        texts = {"missing": m.get("text"), "persona": persona_text}
        for variant in variants:
            if m and texts[variant]:
                items.append(BenchItem(item_id=f"{r['id']}:{variant}", record_id=r["id"],
                                       variant=variant, persona=m["persona"],
                                       dropped=m["dropped"], domains=r["domains"],
                                       description=texts[variant]))
    return items


def make_check(language: FormalLanguage, z3_timeout_ms: int, lean: LeanConfig) -> AnswerChecker:
    """The checker of answers in `language`; UserError when Lean is needed and absent."""
    if language != FormalLanguage.LEAN4:
        return lambda code: smt_check(code, timeout_ms=z3_timeout_ms)
    info = detect_lean(lean, check_mathlib=False, timeout_s=60)
    if not info.found:
        detail = info.detail or "not found"
        raise UserError(f"the set is Lean 4 but Lean is not usable here ({detail}); install "
                        "Lean or benchmark an SMT-LIB set")
    policy = ConsistencyPolicy(allow_sorry=True)
    return lambda code: lean_check(code, policy=policy, config=lean)


def _group(answers: list[BenchAnswer], key: Callable[[BenchAnswer], str], seed: int
           ) -> dict[str, Table]:
    out: dict[str, Table] = {}
    for variant in dict.fromkeys(a.variant for a in answers):
        groups: dict[str, list[Score]] = {}
        for a in answers:
            if a.variant == variant and a.score is not None:
                groups.setdefault(key(a), []).append(a.score)
        out[variant] = {g: {m: bootstrap_ci([s.metric(m) for s in scores], seed) for m in METRICS}
                        for g, scores in sorted(groups.items())}
    return out


def aggregate(answers: list[BenchAnswer], seed: int = 0
              ) -> tuple[dict[str, dict[str, Interval]], dict[str, Table], dict[str, Table]]:
    """Means with bootstrap CIs per variant: overall, per persona, per dropped domain."""
    overall = {v: table["all"] for v, table in _group(answers, lambda a: "all", seed).items()}
    return (overall, _group(answers, lambda a: a.persona, seed),
            _group(answers, lambda a: a.dropped, seed))


def _slug(model: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", model).strip("-")[:40] or "model"


def _new_dir(parent: Path, name: str) -> Path:
    """A new directory `parent/name`, suffixed -2, -3, … when that name is taken."""
    path, i = parent / name, 1
    while path.exists():
        i += 1
        path = parent / f"{name}-{i}"
    path.mkdir(parents=True)
    return path


def _score_all(answers: list[BenchAnswer], gold: dict[str, str], language: FormalLanguage,
               touchstones: dict[str, list[str]], check: AnswerChecker,
               embedder: Embedder) -> None:
    todo = [a for a in answers if a.error is None]

    def one(a: BenchAnswer) -> Score:
        return score_answer(a.text, a.reasoning, a.finish_reason, language, a.dropped,
                            a.domains, touchstones, check)

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        for a, score in zip(todo, pool.map(one, todo), strict=True):
            a.score = score
    coded = [a for a in todo if a.score is not None and a.score.code]
    sims = embedder.formal_similarities([(content_for_embedding(a.score.code or "", language),
                                          content_for_embedding(gold[a.record_id], language))
                                         for a in coded])
    for a, s in zip(coded, sims, strict=True):
        a.score.similarity = max(0.0, s)


def run_benchmark(workspace: Workspace, set_ref: str, config: ModelConfig, *,
                  catalog: Path | None = None, embedding_model: str = DEFAULT_MODEL,
                  z3_timeout_ms: int = 5000, lean: LeanConfig | None = None,
                  variants: tuple[Variant, ...] = VARIANTS, limit: int | None = None,
                  use_glossary: bool = True, max_tokens: int | None = None,
                  seed: int = 0) -> tuple[BenchSummary, Path]:
    """Ask the model for every item of the set, score, save and commit; returns the summary.

    `catalog` is the domain catalog directory (None: the shipped one); answers are checked
    by Z3 within `z3_timeout_ms`, or by Lean under `lean` for a Lean 4 set.
    """
    run = RunView.open(locate_run(workspace, set_ref))
    records = [r for r in run.final() if r.get("missing") and r.get("formal")][:limit]
    items = bench_items(records, variants)
    if not items:
        raise UserError(f"run {run.run_id} has no problems with a missing-domain version in "
                        f"its final set ({run.final_stage}); benchmark a finished run")
    language = run.language
    check = make_check(language, z3_timeout_ms, lean or LeanConfig())
    cards = load_catalog(catalog).domains
    touchstones = {d: c.touchstones.of(language) for d, c in cards.items()}
    prompt = load_benchmark_prompt()
    names = glossary(cards, language) if use_glossary else []
    requests = [CompletionRequest(
        messages=[ChatMessage(role="user", content=render_prompt(prompt, i.description,
                                                                 language, names))],
        temperature=prompt.temperature, max_tokens=max_tokens or prompt.max_tokens,
        skill="benchmark", skill_version=prompt.version) for i in items]
    bench_root = run.path / "bench"
    bench_root.mkdir(parents=True, exist_ok=True)
    client = ModelClient(config, cache=ResponseCache(bench_root / "model-cache.sqlite"))
    log.info("asking %s for %d answers", config.model, len(requests))
    results = client.complete_many(requests)
    answers = []
    for item, result in zip(items, results, strict=True):
        base = {**item.model_dump(), "model": config.model, "prompt_version": prompt.version}
        if isinstance(result, CallFailure):
            answers.append(BenchAnswer(**base, error=f"{result.kind}: {result.message}"))
        else:
            answers.append(BenchAnswer(**base, text=result.text, reasoning=result.reasoning,
                                       finish_reason=result.finish_reason,
                                       tokens_in=result.tokens_in, tokens_out=result.tokens_out,
                                       latency_ms=result.latency_ms, cached=result.cached))
    failed = [a for a in answers if a.error]
    if len(failed) == len(answers):
        raise UserError(f"every call to {config.base_url} failed (first: {failed[0].error}); "
                        f"check --base-url, --model and --api-key")
    gold = {r["id"]: r["formal"]["text"] for r in records}
    _score_all(answers, gold, language, touchstones, check, Embedder(embedding_model))
    overall, by_persona, by_domain = aggregate(answers, seed)
    out = _new_dir(bench_root, f"{_slug(config.model)}-{datetime.now(UTC):%Y%m%d-%H%M%S}")
    write_lines_atomic(out / "answers.jsonl", (a.model_dump_json() + "\n" for a in answers))
    summary = BenchSummary(
        model=config.model, base_url=config.base_url, set_run=run.run_id,
        set_stage=run.final_stage, language=language, prompt_version=prompt.version,
        glossary=use_glossary, created=datetime.now(UTC).isoformat(timespec="seconds"),
        seed=seed, items=len(answers), answered=len(answers) - len(failed),
        call_failures=len(failed),
        parse_failures=sum(1 for a in answers if a.score and a.score.parse_error),
        overall=overall, by_persona=by_persona, by_domain=by_domain,
        answers=str((out / "answers.jsonl").relative_to(run.path)))
    write_text_atomic(out / "summary.json", summary.model_dump_json(indent=1) + "\n")
    workspace.commit(f"eval {run.run_id}: benchmark {config.model} ({summary.answered} of "
                     f"{summary.items} answered)", [out])
    return summary, out
