"""Yes/no judging in the weave-evaluator style: the policy itself scores a question.

With token log-probabilities (`logprobs`, `top_logprobs`) the score is
log p(yes) − log p(no), where p(yes) sums the probabilities of every top
alternative at the first answer token that reads "yes" once lower-cased and
stripped of leading non-letters (" Yes", "yes", "YES", "▁yes"), and likewise
for no. Without them (DeepSeek's R1 refuses `logprobs`; Ollama ignores it),
n answers are sampled and the score is log(n_yes + 1) − log(n_no + 1). The
method used travels with the score.

The first answer token is the first token after the reasoning (after a
`</think>` token when the think block is inline) that has a letter in it, so
R1's thinking before the one-word answer does not hide it.

Trade-offs: a word absent from the top list gets, as its probability, the
smaller of the smallest probability listed and the mass left unlisted (both
upper bounds, so the score is conservative);
when neither word is listed the logprobs method gives up and sampling is used.
Sampling makes n separate calls (sample indices 0..n-1, each cached) rather
than one call with n choices, because several servers ignore `n`.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from retrolean.tools.generate import (
    ChatMessage,
    Completion,
    ModelCallError,
    ModelClient,
    TokenLogprob,
)
from retrolean.tools.generate.parsing import split_reasoning

Method = Literal["logprobs", "sampling"]
YesNo = Literal["yes", "no", "other"]

_LEADING_NON_LETTERS = re.compile(r"^[^a-z]+")
_FIRST_WORD = re.compile(r"[a-z]+")
_TINY = 1e-9

JUDGE_SYSTEM = ("You are a careful evaluator. Read the context, then answer the question with "
                "a single word: Yes or No.")


class JudgeScore(BaseModel):
    """A judged yes/no question: p(yes), its log-odds, how it was measured and on how much."""

    p_yes: float = Field(ge=0.0, le=1.0)
    log_odds: float
    method: Method
    n: int = Field(description="answers the score rests on (1 for logprobs)")
    decided: bool = Field(True, description="False when no answer said yes or no: the score "
                                            "is then the prior, not a judgement")
    question: str = ""
    completions: list[Completion] = Field(default_factory=list)


def normalize_token(token: str) -> str:
    """A token as the judge reads it: lower-cased, leading non-letters stripped.

    Example: normalize_token(" Yes") -> "yes"; normalize_token("▁NO") -> "no"
    """
    return _LEADING_NON_LETTERS.sub("", token.lower()).rstrip()


def token_answer(token: str) -> YesNo:
    """Whether a token reads as yes, no, or neither.

    Example: token_answer(" Yes") -> "yes"; token_answer("Maybe") -> "other"
    """
    match = _FIRST_WORD.match(normalize_token(token))
    word = match.group(0) if match else ""
    return word if word in ("yes", "no") else "other"  # type: ignore[return-value]


def first_answer_position(logprobs: Sequence[TokenLogprob]) -> int | None:
    """Index of the first answer token: after any `</think>`, the first with a letter in it.

    Example: tokens ["<think>", "hm", "</think>", "\\n\\n", "Yes"] -> 4
    """
    start = 0
    for index, item in enumerate(logprobs):
        if "</think>" in item.token:
            start = index + 1
    for index in range(start, len(logprobs)):
        if _FIRST_WORD.search(logprobs[index].token.lower()):
            return index
    return None


def score_from_top_logprobs(top: Sequence[tuple[str, float]]) -> JudgeScore | None:
    """Weave-evaluator score from the (token, logprob) alternatives at the answer token.

    Returns None when neither a yes nor a no variant is among them.
    Example: score_from_top_logprobs([(" Yes", log(0.6)), ("yes", log(0.2)), (" No", log(0.2))])
             -> p_yes 0.8, log_odds log(4)
    """
    if not top:
        return None
    p_yes = sum(math.exp(lp) for tok, lp in top if token_answer(tok) == "yes")
    p_no = sum(math.exp(lp) for tok, lp in top if token_answer(tok) == "no")
    if p_yes == 0.0 and p_no == 0.0:
        return None
    listed = [math.exp(lp) for _tok, lp in top]
    floor = max(min(min(listed), 1.0 - sum(listed)), _TINY)
    p_yes, p_no = max(p_yes, floor), max(p_no, floor)
    return JudgeScore(p_yes=p_yes / (p_yes + p_no), log_odds=math.log(p_yes) - math.log(p_no),
                      method="logprobs", n=1)


def score_from_logprobs(logprobs: Sequence[TokenLogprob]) -> JudgeScore | None:
    """Score from a completion's per-token logprobs (see `score_from_top_logprobs`)."""
    position = first_answer_position(logprobs)
    if position is None:
        return None
    item = logprobs[position]
    top = [(alt.token, alt.logprob) for alt in item.top] or [(item.token, item.logprob)]
    return score_from_top_logprobs(top)


def yes_no_of(text: str, reasoning_content: str | None = None) -> YesNo:
    """Whether a sampled answer says yes or no (its first word, after the reasoning).

    Example: yes_no_of("<think>hmm</think>\\n**Yes.** It does.") -> "yes"
    """
    match = _FIRST_WORD.search(split_reasoning(text, reasoning_content).answer.lower())
    word = match.group(0) if match else ""
    return word if word in ("yes", "no") else "other"  # type: ignore[return-value]


def score_from_samples(answers: Sequence[YesNo]) -> JudgeScore:
    """Score from sampled answers: log(n_yes + 1) − log(n_no + 1); p_yes its logistic.
    With no yes and no no among them the score is the prior (p 0.5) and `decided` is False.

    Example: score_from_samples(["yes", "yes", "no", "other"]) -> log_odds log(3/2), p_yes 0.6
    """
    n_yes = sum(a == "yes" for a in answers)
    n_no = sum(a == "no" for a in answers)
    return JudgeScore(p_yes=(n_yes + 1) / (n_yes + n_no + 2),
                      log_odds=math.log(n_yes + 1) - math.log(n_no + 1),
                      method="sampling", n=len(answers), decided=n_yes + n_no > 0)


def judge_messages(question: str, context: str) -> list[ChatMessage]:
    """The default judge prompt: the context, the question, and "answer Yes or No"."""
    return [ChatMessage(role="system", content=JUDGE_SYSTEM),
            ChatMessage(role="user", content=f"{context}\n\nQuestion: {question}\n"
                                             "Answer with one word, Yes or No.")]


async def judge(client: ModelClient, question: str, context: str, *,
                messages: Sequence[ChatMessage] | None = None,
                method: Literal["auto", "logprobs", "sampling"] = "auto",
                top_logprobs: int = 20, samples: int = 5, temperature: float = 0.6,
                max_tokens: int = 2048, skill: str = "judge", skill_version: str = "1",
                use_cache: bool = True) -> JudgeScore:
    """Score "`question`" about `context` with the client's model; see the module docstring.

    `method="auto"` tries logprobs unless the client already knows the endpoint
    lacks them, and falls back to sampling when the answer carries none (or
    the endpoint refuses them, or neither word is among the alternatives).
    `messages` replaces the default prompt (a skill's own judge prompt).
    Raises ModelCallError when the endpoint fails after its retries.
    """
    prompt = list(messages) if messages is not None else judge_messages(question, context)
    calls: list[Completion] = []
    if method == "logprobs" or (method == "auto" and client.logprobs_supported is not False):
        try:
            done = await client.complete(prompt, temperature=0.0, max_tokens=max_tokens,
                                         logprobs=True, top_logprobs=top_logprobs, skill=skill,
                                         skill_version=skill_version, use_cache=use_cache)
        except ModelCallError as error:
            if method == "logprobs" or error.kind != "bad_request":
                raise
        else:
            calls.append(done)
            score = score_from_logprobs(done.logprobs) if done.logprobs else None
            if score is not None:
                return score.model_copy(update={"question": question, "completions": calls})
            if method == "logprobs":
                raise ModelCallError("protocol", "the judge's answer carries no yes/no "
                                                 "log-probabilities")
    sampled = await asyncio.gather(*(
        client.complete(prompt, temperature=temperature, max_tokens=max_tokens, skill=skill,
                        skill_version=skill_version, sample=index, use_cache=use_cache)
        for index in range(samples)))
    calls += sampled
    score = score_from_samples([yes_no_of(c.text, c.reasoning) for c in sampled])
    return score.model_copy(update={"question": question, "completions": calls})
