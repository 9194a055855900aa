"""The model backend on the loopback OpenAI server: prompts, parsing, re-asks, faults, judge."""

from __future__ import annotations

import json
import random

import pytest

from retrolean.memory.signature import Signature
from retrolean.recipes.backends.base import DropRequest, Failure, FormalDraft, Reformalize
from retrolean.recipes.backends.calls import CallLog, ModelCall
from retrolean.recipes.backends.model import ModelBackend, language_of
from retrolean.recipes.catalog_loader import CATALOG_DIR, load_catalog
from retrolean.recipes.recipe import Parameters
from retrolean.recipes.stages.accounting import accounted
from retrolean.recipes.stages.context import StageResult
from retrolean.skills.persona.base import Draft
from retrolean.tools.generate import ModelClient, ModelConfig
from retrolean.tools.generate.fake_server import FakeOpenAI, RecordedRequest, Reply
from retrolean.tools.smt_check import smt_check
from retrolean.tools.verdict import Verdict
from retrolean.traces.schema import call_block

pytest_plugins = ["conftest_fake_openai"]

CATALOG = load_catalog()
SAT = "(declare-const prime_p0 Int)\n(assert (= prime_p0 7))\n(check-sat)"
UNSAT = ("(declare-const prime_p0 Int)\n(assert (> prime_p0 7))\n(assert (< prime_p0 3))\n"
         "(check-sat)")
FORMAL = FormalDraft(text=SAT)
PICK = "A prime number below ten is chosen."
RNG = random.Random(0)


def z3_check(text: str, language: str) -> Verdict:
    return smt_check(text, timeout_ms=2000)


def backend(server: FakeOpenAI, tmp_path, *, check=None, **config) -> ModelBackend:
    settings = {"base_url": server.url, "model": "fake-r1", "backoff_base_s": 0.01,
                "backoff_max_s": 0.05, "max_retries": 3, "timeout_s": 5.0} | config
    return ModelBackend(ModelClient(ModelConfig(**settings)), CATALOG.domains, check=check,
                        cache_path=tmp_path / "model-cache.sqlite")


def prompt(request: RecordedRequest, index: int = 0) -> str:
    return (request.body or {})["messages"][index]["content"]


def formalize(model: ModelBackend, domains=("primes",), scale: float = 1.0):
    params = Parameters(temperature_scale=scale)
    return model.formalize([(list(domains), None, RNG)], "smtlib2", params)[0]


def caption_reply(text: str = "A prime number between two and thirty is chosen.") -> Reply:
    return Reply.json_in_prose({"caption": text})


# --- formal texts ------------------------------------------------------------------------


def test_formalize_returns_the_fenced_code_without_the_reasoning(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.fenced("smt2", SAT, reasoning="Seven is prime."))
    model = backend(fake_openai, tmp_path)
    draft = formalize(model)
    assert isinstance(draft, FormalDraft) and draft.text == SAT and draft.spec is None
    (call,) = model.drain_calls()
    assert call.skill == "formalize.smtlib2" and call.outcome == "ok"
    assert call.reasoning == "Seven is prime." and call.tokens_out > 0


def test_formalize_prompt_names_domains_touchstones_and_a_witness(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.fenced("smt2", SAT))
    formalize(backend(fake_openai, tmp_path), ("primes", "graph_colouring"), scale=0.5)
    (request,) = fake_openai.chat_requests
    text = prompt(request)
    assert "(`primes`)" in text and "(`graph_colouring`)" in text
    assert r"`\bcolour_\w+`" in text and "must answer `sat`" in text
    assert request.body["temperature"] == 0.3 and len(request.body["messages"]) == 1


def test_lean_prompt_asks_for_the_witness_theorem_and_says_whether_mathlib(fake_openai,
                                                                           tmp_path):
    fake_openai.enqueue(Reply.fenced("lean", "theorem problem_consistent : True := trivial"))
    model = backend(fake_openai, tmp_path)
    draft = model.formalize([(["primes"], None, RNG)], "lean4", Parameters())[0]
    assert isinstance(draft, FormalDraft) and draft.text.startswith("theorem")
    text = prompt(fake_openai.chat_requests[0])
    assert "theorem problem_consistent : ∃" in text and "no `import` lines" in text


def test_checker_error_goes_back_to_the_model(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.fenced("smt2", UNSAT), Reply.fenced("smt2", SAT))
    model = backend(fake_openai, tmp_path, check=z3_check)
    assert formalize(model).text == SAT
    again = fake_openai.chat_requests[1].body["messages"]
    assert [m["role"] for m in again] == ["user", "assistant", "user"]
    assert "unsat" in again[2]["content"] and "<think>" not in again[1]["content"]
    assert [c.outcome for c in model.drain_calls()] == ["reask", "ok"]


def test_a_text_that_only_fails_the_check_is_returned_after_the_last_round(fake_openai,
                                                                          tmp_path):
    fake_openai.enqueue(*[Reply.fenced("smt2", UNSAT)] * 3)
    model = backend(fake_openai, tmp_path, check=z3_check)
    assert formalize(model).text == UNSAT  # the stage's own check rejects it as unsat
    assert len(fake_openai.chat_requests) == 3


def test_the_stage_check_after_the_backend_check_is_remembered(fake_openai, tmp_path):
    calls: list[str] = []

    def counting(text: str, language: str) -> Verdict:
        calls.append(text)
        return z3_check(text, language)

    fake_openai.enqueue(Reply.fenced("smt2", SAT))
    model = backend(fake_openai, tmp_path, check=counting)
    draft = formalize(model)
    assert model.check is not None and model.check(draft.text, "smtlib2").ok
    assert calls == [SAT]


def test_reformalize_returns_a_draft_without_spec_and_names_conventions(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.fenced("smt2", SAT))
    model = backend(fake_openai, tmp_path)
    (draft,) = model.reformalize([Reformalize("Pick a prime below ten.",
                                              Signature.of_names(["prime_p0"]))], "smtlib2")
    assert draft.text == SAT and draft.spec is None
    text = prompt(fake_openai.chat_requests[0])
    assert "> Pick a prime below ten." in text and r"`\bprime_\w+`" in text
    assert "(declare-const prime_p0 Int)" in text and "Read literally" in text


def test_a_reformalization_over_other_unknowns_goes_back_with_the_difference(fake_openai,
                                                                            tmp_path):
    other = SAT.replace("prime_p0", "p")
    fake_openai.enqueue(Reply.fenced("smt2", other), Reply.fenced("smt2", SAT))
    model = backend(fake_openai, tmp_path, check=lambda t, lang: smt_check(t))
    (draft,) = model.reformalize([Reformalize("Pick a prime below ten.",
                                              Signature.of_names(["prime_p0"]))], "smtlib2")
    assert draft.text == SAT
    reask = fake_openai.chat_requests[1].body["messages"][-1]["content"]
    assert "lacks prime_p0" in reask and "declares p" in reask


def test_a_problem_whose_link_adds_nothing_goes_back_naming_the_link(fake_openai, tmp_path):
    redundant = ("(declare-const prime_p0 Int)(declare-const colour_v0 Int)"
                 "(assert (= prime_p0 7))(assert (= colour_v0 1))"
                 "(assert (< colour_v0 prime_p0))(check-sat)")
    linked = redundant.replace("(assert (= colour_v0 1))", "(assert (<= 0 colour_v0 9))")
    fake_openai.enqueue(Reply.fenced("smt2", redundant), Reply.fenced("smt2", linked))
    model = backend(fake_openai, tmp_path, check=lambda t, lang: smt_check(t))
    (draft,) = model.formalize([(["primes", "graph_colouring"], None, RNG)], "smtlib2",
                               Parameters())
    assert draft.text == linked
    reask = fake_openai.chat_requests[1].body["messages"][-1]["content"]
    assert "adds nothing" in reask and "(< colour_v0 prime_p0)" in reask


# --- parsing, re-asks, rejects -------------------------------------------------------------


def test_malformed_json_is_fixed_by_a_reask(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.think("hmm", '```json\n{"caption": "Pick a prime below ten.",}\n```'),
                        caption_reply())
    model = backend(fake_openai, tmp_path)
    (out,) = model.caption([(FORMAL, RNG)], 0.0)
    assert out == ("A prime number between two and thirty is chosen.", [])
    feedback = fake_openai.chat_requests[1].body["messages"][2]["content"]
    assert "does not parse" in feedback and "```json" in feedback
    assert [c.outcome for c in model.drain_calls()] == ["reask", "ok"]


def test_a_one_off_refusal_is_asked_again(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.refusal(), caption_reply(PICK))
    model = backend(fake_openai, tmp_path)
    (out,) = model.caption([(FORMAL, RNG)], 0.0)
    assert out == (PICK, [])
    again = fake_openai.chat_requests[1].body["messages"]
    assert "harmless" in again[2]["content"] and "```json" in again[2]["content"]
    assert [c.outcome for c in model.drain_calls()] == ["reask", "ok"]


def test_a_repeated_refusal_rejects_the_item_as_a_refusal(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.refusal(), Reply.refusal(), caption_reply())
    (out,) = backend(fake_openai, tmp_path).caption([(FORMAL, RNG)], 0.0)
    assert isinstance(out, Failure) and out.reason.startswith("refusal:")
    assert len(fake_openai.chat_requests) == 2


def test_an_empty_answer_is_asked_again(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.text(""), caption_reply(PICK))
    model = backend(fake_openai, tmp_path)
    (out,) = model.caption([(FORMAL, RNG)], 0.0)
    assert out == (PICK, [])
    assert [c.outcome for c in model.drain_calls()] == ["reask", "ok"]


def test_an_answer_only_in_reasoning_content_is_taken_without_a_reask(fake_openai, tmp_path):
    """vLLM's deepseek_r1 parser, when the output has no </think>: content null, all of it
    in reasoning_content."""
    fake_openai.enqueue(Reply(content=None, reasoning_content=(  # type: ignore[arg-type]
        f'The caption should be short. Final: {{"caption": "{PICK}"}}')))
    model = backend(fake_openai, tmp_path)
    (out,) = model.caption([(FORMAL, RNG)], 0.0)
    assert out == (PICK, []) and len(fake_openai.chat_requests) == 1
    (call,) = model.drain_calls()
    assert call.outcome == "ok" and "taken from the reasoning" in call.detail


def test_a_lisp_fence_and_a_trailing_get_value_block_give_the_script(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.think("Seven.", f"```lisp\n{SAT}\n```\nThen:\n"
                                              "```smt2\n(get-value (prime_p0))\n```"))
    model = backend(fake_openai, tmp_path, check=z3_check)
    assert formalize(model).text == SAT and len(fake_openai.chat_requests) == 1


def test_reasks_are_bounded(fake_openai, tmp_path):
    fake_openai.enqueue(*[Reply.text("I would rather describe it in prose.")] * 3)
    model = backend(fake_openai, tmp_path)
    draft = formalize(model)
    assert isinstance(draft, Failure) and draft.reason.startswith("no_code after 3 answers")
    assert len(fake_openai.chat_requests) == 3
    assert [c.outcome for c in model.drain_calls()] == ["reask", "reask", "reject"]


def test_schema_violation_is_shown_to_the_model(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.json_in_prose({"caption": "short"}), caption_reply())
    (out,) = backend(fake_openai, tmp_path).caption([(FORMAL, RNG)], 0.0)
    assert not isinstance(out, Failure)
    assert "expected shape" in prompt(fake_openai.chat_requests[1], 2)


# --- transport faults -----------------------------------------------------------------------


def test_429_with_retry_after_then_success(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.rate_limited(retry_after="0.3"), caption_reply())
    model = backend(fake_openai, tmp_path)
    (out,) = model.caption([(FORMAL, RNG)], 0.0)
    first, second = fake_openai.chat_requests
    assert not isinstance(out, Failure) and second.received_at - first.received_at >= 0.3
    assert model.drain_calls()[0].attempts == 2


def test_500_then_success(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.server_error(500), caption_reply())
    (out,) = backend(fake_openai, tmp_path).caption([(FORMAL, RNG)], 0.0)
    assert not isinstance(out, Failure) and len(fake_openai.chat_requests) == 2


def test_slow_answer_past_the_timeout_is_retried(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.slow(2.0), caption_reply())
    (out,) = backend(fake_openai, tmp_path, timeout_s=0.3).caption([(FORMAL, RNG)], 0.0)
    assert not isinstance(out, Failure) and len(fake_openai.chat_requests) == 2


def test_a_call_that_keeps_failing_rejects_its_item_and_the_batch_goes_on(fake_openai,
                                                                          tmp_path):
    fake_openai.fallback = lambda request: (
        Reply.server_error() if "BROKEN" in prompt(request) else caption_reply())
    model = backend(fake_openai, tmp_path, max_retries=1)
    outs = model.caption([(FormalDraft(text="(assert BROKEN)"), RNG), (FORMAL, RNG)], 0.0)
    assert isinstance(outs[0], Failure) and outs[0].reason.startswith("model call failed "
                                                                      "(server_error)")
    assert not isinstance(outs[1], Failure)


def test_a_wrong_key_stops_the_run_with_one_line(fake_openai, tmp_path):
    from retrolean.memory.errors import UserError

    fake_openai.api_key = "right"
    model = backend(fake_openai, tmp_path, api_key="wrong")
    with pytest.raises(UserError, match="401"):
        model.caption([(FORMAL, RNG), (FORMAL, RNG)], 0.0)


# --- persona, drop, fill-in -----------------------------------------------------------------


def test_each_persona_has_its_own_prompt_examples_and_temperature(fake_openai, tmp_path):
    fake_openai.fallback = lambda request: Reply.json_in_prose(
        {"description": "quick q. primes thing, under thirty. doable?"})
    model = backend(fake_openai, tmp_path)
    texts = {}
    for pid, card in CATALOG.personas.items():
        (draft,) = model.persona([(FORMAL, "Pick a prime.", RNG)], card)
        assert isinstance(draft, Draft) and draft.text.startswith("quick q.")
        request = fake_openai.chat_requests[-1]
        assert request.body["temperature"] == card.temperature
        assert card.examples[0].split()[0] in prompt(request)
        texts[pid] = prompt(request).replace(card.name, "").replace(card.description, "")
    assert len(set(texts.values())) == len(CATALOG.personas)  # four processes, not one


def drop_request(frame_shift: bool) -> DropRequest:
    return DropRequest(spec=None, segments={}, text="I need primes and a graph colouring.",
                       dropped="primes", persona=CATALOG.personas["lazy_busy"],
                       frame_shift=frame_shift)


def test_drop_with_frame_shift_returns_the_frames_the_model_used(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.json_in_prose({
        "description": "I feel like I need numbers nobody can split, and a seating plan.",
        "frames": {"graph colouring": "seating plan"}}))
    (out,) = backend(fake_openai, tmp_path).drop([(drop_request(True), RNG)])
    assert out.frames == {"graph colouring": "seating plan"} and "split" in out.text
    assert "# Task: drop_domain (frame shift)" in prompt(fake_openai.chat_requests[0])


def test_drop_reasks_while_the_dropped_domain_is_still_named(fake_openai, tmp_path):
    fake_openai.enqueue(
        Reply.json_in_prose({"description": "I still need the primes and a colouring."}),
        Reply.json_in_prose({"description": "I need numbers nobody can split, and colours."}))
    (out,) = backend(fake_openai, tmp_path).drop([(drop_request(False), RNG)])
    assert "split" in out.text
    assert "still names" in prompt(fake_openai.chat_requests[1], 2)


def test_fill_in_returns_the_assistant_text(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.json_in_prose({"text": "What you need is prime numbers: …"}))
    (out,) = backend(fake_openai, tmp_path).fill_in([(FORMAL, "primes", RNG)])
    assert out == "What you need is prime numbers: …"
    assert "**prime numbers**" in prompt(fake_openai.chat_requests[0])


# --- judges ---------------------------------------------------------------------------------


def test_presence_judge_uses_logprobs_where_offered(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.yes_no(0.9))
    model = backend(fake_openai, tmp_path)
    (score,) = model.judge_presence([(SAT, CATALOG.domains["primes"])])
    assert score is not None and score.method == "logprobs"
    assert score.p_yes == pytest.approx(0.9, abs=0.01)
    body = fake_openai.chat_requests[0].body
    assert body["logprobs"] is True and body["top_logprobs"] == 20
    call = model.drain_calls()[0]
    assert call.question == "Does this formal problem really use prime numbers?"


def test_presence_judge_samples_where_logprobs_are_refused(fake_openai, tmp_path):
    fake_openai.logprobs_supported = False
    fake_openai.fallback = lambda request: Reply.think("checking", "Yes.")
    (score,) = backend(fake_openai, tmp_path).judge_presence([(SAT, CATALOG.domains["primes"])])
    assert score is not None and score.method == "sampling" and score.p_yes > 0.5
    assert len(fake_openai.chat_requests) == 1 + 5


def test_guidance_judge_scores_a_text_against_its_guidance(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.yes_no(0.2))
    (score,) = backend(fake_openai, tmp_path).judge_guidance(
        [("A bakery bakes 12 loaves.", "a village bakery before a festival")])
    assert score.p_yes == pytest.approx(0.2, abs=0.01) and score.method == "logprobs"


# --- cache, accounting ----------------------------------------------------------------------


def test_a_repeated_batch_is_answered_from_the_cache(fake_openai, tmp_path):
    fake_openai.fallback = lambda request: caption_reply()
    backend(fake_openai, tmp_path).caption([(FORMAL, RNG)], 0.0)
    again = backend(fake_openai, tmp_path)
    again.caption([(FORMAL, RNG)], 0.0)
    assert len(fake_openai.chat_requests) == 1 and again.drain_calls()[0].cached


def test_no_cache_calls_again(fake_openai, tmp_path):
    fake_openai.fallback = lambda request: caption_reply()
    backend(fake_openai, tmp_path).caption([(FORMAL, RNG)], 0.0)
    model = backend(fake_openai, tmp_path)
    model.asker.use_cache = False
    model.caption([(FORMAL, RNG)], 0.0)
    assert len(fake_openai.chat_requests) == 2


def test_call_records_become_trace_blocks():
    call = ModelCall(skill="caption", outcome="ok", tokens_in=10, tokens_out=20,
                     latency_ms=1500.0, attempts=1, reasoning="thought")
    block = call_block(call, "caption")
    assert block.type == "debug" and block.tokens_out == 20 and block.stage == "caption"
    assert block.data.reasoning == "thought" and "1.5 s" in block.body
    judged = ModelCall(skill="judge_presence", outcome="ok", p_yes=0.8, score=1.386,
                       judge_method="logprobs", question="Does it use primes?")
    block = call_block(judged, "presence")
    assert block.type == "evaluation" and block.q == "Does it use primes?"
    assert block.score == 1.386 and block.data.judged.judge_method == "logprobs"


def test_stage_figures_carry_the_model_calls_it_made():
    class Counting:
        client = None

        def __init__(self) -> None:
            self.log = CallLog()

        def call_totals(self):
            return self.log.totals()

    class Ctx:
        backend = Counting()

    Ctx.backend.log.add(ModelCall(skill="x", outcome="ok", tokens_in=5))

    def stage(records, ctx):
        ctx.backend.log.add(ModelCall(skill="x", outcome="reask", tokens_in=7, attempts=2))
        ctx.backend.log.add(ModelCall(skill="x", outcome="ok", cached=True))
        return StageResult()

    figures = accounted(stage)([], Ctx()).figures["model_calls"]
    assert figures["calls"] == 2 and figures["tokens_in"] == 7 and figures["reasks"] == 1
    assert figures["cache_hits"] == 1 and figures["requests"] == 2


def test_language_is_read_off_the_text():
    assert language_of("; comment\n(declare-const x Int)") == "smtlib2"
    assert language_of("abbrev problem (x : Int) : Prop := x = 1") == "lean4"
    assert json.loads(json.dumps(CallLog().totals().figures()))["calls"] == 0


# --- wiring ---------------------------------------------------------------------------------

NEW_DOMAIN = r"""- id: bell_ringing
  name: change ringing
  description: Ring bells through permutations where each bell moves at most one place per change.
  touchstones:
    smtlib2: ['\bbell_\w+']
    lean4: ['\bbell']
  need: some way to run through orderings where nothing jumps more than one place at a time
  frames:
    - name: dance
      text: dancers swapping places with a neighbour on every beat
    - name: shelf
      text: books reshuffled on a shelf by swapping neighbours only
    - name: queue
      text: people in a queue letting a neighbour pass, one swap at a time
    - name: train carriages
      text: shunting train carriages so each moves one place per swap
  keywords: ['bells?', 'change ringing']
  lay_terms: ['the bell thing', 'ringing the changes']
"""


def prepared(tmp_path, **settings):
    from retrolean.agent.pipeline import RunOptions, prepare
    from retrolean.agent.settings import load_settings

    catalog = tmp_path / "catalog"
    (catalog / "domains").mkdir(parents=True, exist_ok=True)
    shipped = (CATALOG_DIR / "domains" / "core.yaml").read_text()
    (catalog / "domains" / "all.yaml").write_text(shipped + NEW_DOMAIN)
    options = RunOptions(goal="g", n=2, k=2, domains=["bell_ringing", "primes"])
    return prepare(load_settings(workspace=tmp_path / "ws", catalog=catalog, formal="smtlib2",
                                 **settings), options)


def test_a_model_run_may_sample_domains_without_a_template_process(fake_openai, tmp_path):
    run = prepared(tmp_path, model="fake-r1", base_url=fake_openai.url, concurrency=4)
    backend = run.ctx.backend
    assert isinstance(backend, ModelBackend) and backend.client.config.concurrency == 4
    assert set(run.pool) == {"bell_ringing", "primes"}
    assert run.records[0].provenance.generator == "model"


def test_a_template_run_refuses_a_domain_without_a_template_process(tmp_path):
    from retrolean.memory.errors import UserError

    with pytest.raises(UserError, match="needs a model backend"):
        prepared(tmp_path)


def test_the_model_backend_opens_its_cache_in_the_workspace_at_the_first_call(fake_openai,
                                                                              tmp_path):
    run = prepared(tmp_path, model="fake-r1", base_url=fake_openai.url)
    assert not (tmp_path / "ws" / "model-cache.sqlite").exists()  # prepare writes nothing
    fake_openai.enqueue(caption_reply())
    run.ctx.backend.caption([(FORMAL, RNG)], 0.0)
    assert (tmp_path / "ws" / "model-cache.sqlite").is_file()


def test_a_caption_with_the_formal_texts_identifiers_goes_back(fake_openai, tmp_path):
    fake_openai.enqueue(Reply.json_in_prose({"caption": "Make prime_p0 equal to seven."}),
                        caption_reply())
    model = backend(fake_openai, tmp_path)
    (out,) = model.caption([(FORMAL, RNG)], 0.0)
    assert out == ("A prime number between two and thirty is chosen.", [])
    reask = fake_openai.chat_requests[1].body["messages"][-1]["content"]
    assert "not plain English" in reask and "prime_p0" in reask
