"""The weave-evaluator judge: pure scoring, and both methods against the loopback server."""

from __future__ import annotations

import asyncio
import itertools
import math

import pytest

from retrolean.tools.generate import (
    ModelClient,
    ModelConfig,
    ResponseCache,
    TokenLogprob,
    TopLogprob,
)
from retrolean.tools.generate.fake_server import FakeOpenAI, Reply
from retrolean.tools.judge import (
    JudgeScore,
    first_answer_position,
    judge,
    normalize_token,
    score_from_logprobs,
    score_from_samples,
    score_from_top_logprobs,
    token_answer,
    yes_no_of,
)

pytest_plugins = ["conftest_fake_openai"]


# --- pure scoring ------------------------------------------------------------------------


@pytest.mark.parametrize(("token", "word"), [(" Yes", "yes"), ("▁NO", "no"), ("\nyes", "yes"),
                                             ("Yes", "yes"), ("**No", "no")])
def test_tokens_are_lower_cased_and_stripped_of_leading_non_letters(token, word):
    assert normalize_token(token) == word


def test_token_answer_reads_only_yes_and_no():
    assert [token_answer(t) for t in (" Yes", "no.", "Yesterday", "Maybe")] == \
        ["yes", "no", "other", "other"]


def test_variants_of_yes_and_no_are_summed():
    score = score_from_top_logprobs([(" Yes", math.log(0.5)), ("yes", math.log(0.1)),
                                     (" No", math.log(0.1)), ("NO", math.log(0.05)),
                                     ("Maybe", math.log(0.25))])
    assert score is not None and score.method == "logprobs" and score.n == 1
    assert score.log_odds == pytest.approx(math.log(0.6) - math.log(0.15))
    assert score.p_yes == pytest.approx(0.8)


def test_absent_word_gets_at_most_the_unlisted_mass():
    score = score_from_top_logprobs([("Yes", math.log(0.99))])
    assert score is not None and score.log_odds == pytest.approx(math.log(0.99 / 0.01))


def test_neither_word_in_the_alternatives_gives_no_score():
    assert score_from_top_logprobs([("Maybe", -0.1), ("Perhaps", -2.0)]) is None


def test_answer_token_is_found_after_the_think_block():
    tokens = [TokenLogprob(token=t, logprob=0.0)
              for t in ["<think>", "no", "wait", "</think>", "\n\n", "Yes"]]
    assert first_answer_position(tokens) == 5


def test_score_from_logprobs_uses_the_answer_token_alternatives():
    tokens = [TokenLogprob(token="No", logprob=math.log(0.7),
                           top=[TopLogprob(token="No", logprob=math.log(0.7)),
                                TopLogprob(token="Yes", logprob=math.log(0.3))])]
    score = score_from_logprobs(tokens)
    assert score is not None and score.p_yes == pytest.approx(0.3)


def test_sampling_score_is_laplace_smoothed_log_odds():
    score = score_from_samples(["yes", "yes", "no", "other"])
    assert score.method == "sampling" and score.n == 4
    assert score.log_odds == pytest.approx(math.log(3) - math.log(2))
    assert score.p_yes == pytest.approx(0.6)


def test_sampled_answer_is_read_after_the_reasoning():
    assert yes_no_of("<think>Is it? no...</think>\n**Yes.** It does.") == "yes"
    assert yes_no_of("No, it does not.") == "no"
    assert yes_no_of("It depends.") == "other"


# --- against the server ------------------------------------------------------------------


def run_judge(server: FakeOpenAI, cache: ResponseCache | None = None,
              client: ModelClient | None = None, **kwargs) -> JudgeScore:
    client = client or ModelClient(ModelConfig(base_url=server.url, model="fake-r1",
                                               backoff_base_s=0.01), cache=cache)

    async def main() -> JudgeScore:
        try:
            return await judge(client, "Does it use graph colouring?", "A problem.", **kwargs)
        finally:
            await client.aclose()

    return asyncio.run(main())


def test_judge_uses_logprobs_when_the_endpoint_gives_them(fake_openai):
    fake_openai.enqueue(Reply.yes_no(0.8))
    score = run_judge(fake_openai)
    assert score.method == "logprobs" and score.p_yes == pytest.approx(0.8)
    assert score.log_odds == pytest.approx(math.log(4))
    body = fake_openai.chat_requests[0].body
    assert body["logprobs"] is True and body["top_logprobs"] == 20
    assert score.question == "Does it use graph colouring?" and len(score.completions) == 1


def test_judge_samples_when_the_endpoint_refuses_logprobs(fake_openai):
    fake_openai.logprobs_supported = False
    answers = itertools.cycle(["Yes", "No", "Yes", "Yes", "No"])
    fake_openai.fallback = lambda request: Reply.think("checking", next(answers))
    client = ModelClient(ModelConfig(base_url=fake_openai.url, model="fake-r1"))
    score = run_judge(fake_openai, client=client)
    assert score.method == "sampling" and score.n == 5
    assert score.log_odds == pytest.approx(math.log(4) - math.log(3))
    assert client.logprobs_supported is False
    run_judge(fake_openai, client=client)
    asked_for_logprobs = [r for r in fake_openai.chat_requests if r.body.get("logprobs")]
    assert len(asked_for_logprobs) == 1


def test_judge_samples_when_the_answer_carries_no_logprobs(fake_openai):
    fake_openai.fallback = lambda request: Reply.text("Yes")
    score = run_judge(fake_openai, samples=3)
    assert score.method == "sampling" and score.n == 3
    assert score.log_odds == pytest.approx(math.log(4))


def test_samples_have_distinct_indices_so_each_is_its_own_call(fake_openai, tmp_path):
    fake_openai.fallback = lambda request: Reply.text("No")
    cache = ResponseCache(tmp_path / "cache.sqlite")
    score = run_judge(fake_openai, cache=cache, method="sampling", samples=4)
    assert score.n == 4 and len(fake_openai.chat_requests) == 4 and len(cache) == 4


def test_a_judged_question_is_cached(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.yes_no(0.9))
    cache = ResponseCache(tmp_path / "cache.sqlite")
    first = run_judge(fake_openai, cache=cache)
    again = run_judge(fake_openai, cache=cache)
    assert again.p_yes == pytest.approx(first.p_yes) and len(fake_openai.chat_requests) == 1
    assert again.completions[0].cached
