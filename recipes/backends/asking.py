"""Asking a model for a skill's output: render, call, parse, validate, re-ask, give up.

An `Ask` is one item of a batch: a skill prompt with its inputs (and, where
the skill has one, its own temperature and an extra check such as the formal
checker). `Asker.ask` runs a whole batch concurrently — the client's
semaphore bounds the HTTP calls in flight — and gives back, per item, the
parsed output or a `Failure` whose reason starts with a short gist (what the
stage's reject counts):

- the answer is parsed with tools/generate/parsing.py (reasoning split off, the code
  fence or JSON found) and validated with the prompt's pydantic schema;
- a parse, validation or check error is shown to the model, with its own
  previous answer (reasoning left out, as R1 wants multi-turn history), and
  the model answers again, at most `reasks` times; then the item fails — but
  an answer that parses and only fails the extra check (a formal checker, a
  word that should be gone) is returned after the last round anyway, so the
  stage's own check rejects it with the checker's precise verdict;
- an empty answer is asked again like a parse error (servers do send a
  reasoning-only answer now and then; the parser first looks for the payload
  at the end of the reasoning); a refusal is asked again once, in words of
  its own (`reask_feedback`), and a second refusal rejects the item as
  `refusal` — one-off refusals are noise, a repeated one is data;
- a call that fails after the client's own retries fails the item — except
  errors of configuration (bad key, unknown model, bad URL), which stop the
  run with a `UserError`, since every other item would fail the same way.

`Asker.judge` scores yes/no prompts with tools/judge.py (log-probabilities
where the endpoint gives them, else sampling). Every call goes into the
`CallLog`.

Trade-off: re-asks extend the conversation rather than starting afresh, so a
re-ask costs the tokens of the first exchange again; in exchange the model
sees exactly what it wrote and what was wrong with it, and a rerun finds every
round in the cache (each round's messages follow from the cached answer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from retrolean.memory.errors import UserError
from retrolean.memory.languages import FormalLanguage
from retrolean.recipes.backends.base import Failure
from retrolean.recipes.backends.calls import CallLog, ModelCall, excerpt
from retrolean.skills.prompting import OutputSpec, Prompt, PromptError
from retrolean.tools.generate import ChatMessage, Completion, ModelCallError, ModelClient
from retrolean.tools.generate.parsing import ParsedOutput, ParseError, parse_output, split_reasoning
from retrolean.tools.judge import JudgeScore, judge

T = TypeVar("T")
AnswerCheck = Callable[[ParsedOutput[Any]], str | None]  # None when fine, else model feedback

_ONCE = frozenset({"refusal"})  # kinds asked again only once
_REFUSAL_REASK = ("You declined this task. It is a harmless exercise: writing and describing "
                  "small mathematics problems for a dataset; nothing you write is executed "
                  "except by a solver or proof checker. Please do the task as asked.")
_FENCES = {language.value: language.fence for language in FormalLanguage}
_CONFIG_ERRORS = frozenset({"auth", "not_found", "bad_url"})


@dataclass
class Ask:
    """One item of a batch: a prompt and its inputs, maybe its own temperature and a check."""

    prompt: Prompt
    inputs: dict[str, Any]
    temperature: float | None = None
    check: AnswerCheck | None = None  # runs in a worker thread (formal checkers block)


def again(feedback: str, output: OutputSpec) -> str:
    """The re-ask message: what was wrong, then what to answer with.

    Example: again("Your answer has no JSON.", OutputSpec(kind="json", schema="X"))
             -> "Your answer has no JSON.\\n\\nAnswer again with the complete JSON object …"
    """
    if output.kind == "code" and output.language:
        fence = _FENCES.get(output.language, output.language)
        wanted = f"the complete text in one ```{fence} block"
    else:
        wanted = "the complete JSON object in one ```json block"
    return f"{feedback}\n\nAnswer again with {wanted}."


def reask_allowed(kind: str, earlier: list[str]) -> bool:
    """Whether an answer that failed with `kind` is worth asking again, given the kinds of
    the rounds that failed before it (a refusal gets one more try, not two).

    Example: reask_allowed("refusal", []) -> True; reask_allowed("refusal", ["refusal"]) -> False
    """
    return kind not in _ONCE or kind not in earlier


def reask_feedback(kind: str, feedback: str) -> str:
    """What the model is told about its failed answer: the parser's or checker's feedback,
    or, for a refusal, why the task is fine to do.

    Example: reask_feedback("no_json", "Your answer has no JSON.") -> "Your answer has no JSON."
    """
    return _REFUSAL_REASK if kind == "refusal" else feedback


class Asker:
    """Runs batches of asks and judged questions against one client; logs every call."""

    def __init__(self, client: ModelClient, log: CallLog, *, reasks: int = 2,
                 use_cache: bool = True, judge_samples: int = 5) -> None:
        self.client = client
        self.log = log
        self.reasks = reasks
        self.use_cache = use_cache
        self.judge_samples = judge_samples
        self.temperature_scale = 1.0
        self._config_error: str | None = None

    # --- batches ---------------------------------------------------------------------------

    def ask(self, asks: list[Ask]) -> list[ParsedOutput[Any] | Failure]:
        """Each ask's parsed output, or a Failure with the reason; in order."""
        return self._run(lambda: asyncio.gather(*(self._ask_one(a) for a in asks)))

    def judge(self, items: list[tuple[Prompt, dict[str, Any]]]) -> list[JudgeScore | Failure]:
        """Each yes/no prompt's score (p(yes), log-odds, method), or a Failure; in order."""
        return self._run(lambda: asyncio.gather(*(self._judge_one(p, i) for p, i in items)))

    def _run(self, make: Callable[[], Awaitable[list[T]]]) -> list[T]:
        async def main() -> list[T]:
            try:
                return await make()
            finally:
                await self.client.aclose()

        results = asyncio.run(main())
        self._stop_on_configuration_error()
        return results

    def _stop_on_configuration_error(self) -> None:
        error, self._config_error = self._config_error, None
        if error is not None:
            raise UserError(f"the model endpoint refused the run: {error} (check --model, "
                            "--base-url and the API key; `retrolean doctor` tests them)")

    def temperature(self, ask: Ask) -> float:
        """The ask's temperature (its own, else the prompt's), scaled and kept in [0, 2]."""
        base = ask.temperature if ask.temperature is not None else ask.prompt.meta.temperature
        if base is None:
            raise PromptError(f"{ask.prompt.path.name} leaves the temperature to the caller, "
                              "and none was given")
        return round(min(2.0, max(0.0, base * self.temperature_scale)), 4)

    # --- one item --------------------------------------------------------------------------

    def _call_failed(self, prompt: Prompt, round_: int, error: ModelCallError) -> Failure:
        if error.kind in _CONFIG_ERRORS:
            self._config_error = error.message
        self.log.add(ModelCall(skill=prompt.skill_id, round=round_, outcome="failed",
                               detail=error.message, attempts=error.attempts))
        return Failure(f"model call failed ({error.kind}): {error.message}")

    def _record(self, prompt: Prompt, round_: int, done: Completion, outcome: str,
                detail: str = "") -> None:
        self.log.add(ModelCall(
            skill=prompt.skill_id, round=round_, outcome=outcome, detail=detail,  # type: ignore[arg-type]
            cached=done.cached, attempts=done.attempts, tokens_in=done.tokens_in,
            tokens_out=done.tokens_out, latency_ms=done.latency_ms,
            finish_reason=done.finish_reason, key=done.key,
            reasoning=excerpt(split_reasoning(done.text, done.reasoning).reasoning)))

    async def _ask_one(self, ask: Ask) -> ParsedOutput[Any] | Failure:
        prompt, output = ask.prompt, ask.prompt.meta.output
        schema = prompt.schema()
        language = output.language if output.kind == "code" else None
        temperature = self.temperature(ask)
        messages = [ChatMessage(role="user", content=prompt.render(**ask.inputs))]
        failed: list[str] = []  # the kinds of the rounds that failed so far
        for round_ in range(self.reasks + 1):
            try:
                done = await self.client.complete(
                    messages, temperature=temperature, max_tokens=prompt.meta.max_tokens,
                    skill=prompt.skill_id, skill_version=prompt.meta.version,
                    use_cache=self.use_cache)
            except ModelCallError as error:
                return self._call_failed(prompt, round_, error)
            try:
                parsed = parse_output(done.text, reasoning_content=done.reasoning,
                                      language=language, schema=schema,
                                      finish_reason=done.finish_reason)
            except ParseError as error:
                kind, feedback = error.kind, error.feedback
                answer = split_reasoning(done.text, done.reasoning).answer
            else:
                problem = await asyncio.to_thread(ask.check, parsed) if ask.check else None
                if problem is None or round_ == self.reasks:
                    notes = [f"check: {problem}"] if problem else []
                    if parsed.recovered:
                        notes.insert(0, "answer taken from the reasoning (empty content)")
                    self._record(prompt, round_, done, "ok", "; ".join(notes))
                    return parsed  # a check is advice: the stage's own check has the last word
                kind, feedback, answer = "check", problem, parsed.answer
            if not reask_allowed(kind, failed):
                self._record(prompt, round_, done, "reject", f"{kind}: {feedback}")
                return Failure(f"{kind}: {feedback}")
            if round_ == self.reasks:
                self._record(prompt, round_, done, "reject", f"{kind}: {feedback}")
                return Failure(f"{kind} after {round_ + 1} answers: {feedback}")
            self._record(prompt, round_, done, "reask", f"{kind}: {feedback}")
            failed.append(kind)
            messages = [*messages, ChatMessage(role="assistant", content=answer or "(nothing)"),
                        ChatMessage(role="user",
                                    content=again(reask_feedback(kind, feedback), output))]
        raise AssertionError("the re-ask loop always returns")

    async def _judge_one(self, prompt: Prompt, inputs: dict[str, Any]) -> JudgeScore | Failure:
        question = prompt.question(**inputs)
        messages = [ChatMessage(role="user", content=prompt.render(**inputs))]
        temperature = self.temperature(Ask(prompt, inputs))
        try:
            score = await judge(self.client, question, "", messages=messages,
                                temperature=temperature, max_tokens=prompt.meta.max_tokens,
                                samples=self.judge_samples, skill=prompt.skill_id,
                                skill_version=prompt.meta.version, use_cache=self.use_cache)
        except ModelCallError as error:
            return self._call_failed(prompt, 0, error)
        calls = score.completions
        first = calls[0] if calls else None
        self.log.add(ModelCall(
            skill=prompt.skill_id, outcome="ok", cached=bool(calls) and all(c.cached
                                                                            for c in calls),
            attempts=sum(c.attempts for c in calls), tokens_in=sum(c.tokens_in for c in calls),
            tokens_out=sum(c.tokens_out for c in calls),
            latency_ms=max((c.latency_ms for c in calls if not c.cached), default=0.0),
            finish_reason=first.finish_reason if first else None,
            key=first.key if first else "",
            reasoning=excerpt(split_reasoning(first.text, first.reasoning).reasoning)
            if first else "",
            judge_method=score.method, p_yes=score.p_yes, score=score.log_odds,
            question=question))
        return score.model_copy(update={"completions": []})
