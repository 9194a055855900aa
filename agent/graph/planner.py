"""The model planner: a stage plan as structured output, validated, repaired, or given up on.

The model sees the goal, the stages (with what they need and make, and the
tools each must or may call), the tool registry, the recipe's default plan,
the run's parameters and — for a goal not run before — recent lessons, and
answers with a JSON plan. The plan is parsed (R1 think blocks and prose
tolerated) and validated against the stage registry, the tool registry and
the run (backend, formal language: `PlanTarget`); problems go back to the
model (at most `repairs` times) with the model's own answer and not its
reasoning, as DeepSeek's multi-round guidance asks; after that the planner
returns None and the graph falls back to the recipe's plan, recording why.

`revise` is the same for a user's words (a chat edit, or steering between
stages): the model may also change the run's parameters, which
`parameter_changes` validates against `Parameters` — an unknown name or a
wrong type is refused, a number out of bounds clamped, each with a note —
and stages already run must stay first, unchanged.

Every planner call is cached like a skill's (same goal, plan, parameters and
lessons: same prompt, same answer), its reasoning is traced as it arrives
(inline `<think>`, an unopened `</think>`, or `reasoning_content`), each call
is a debug block, and `take_spent` hands the calls' totals to the run's
accounting. A configuration error (bad key, unknown model, bad URL) is a
`UserError`, not a reason to fall back: every later call would fail alike.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import annotated_types
from jinja2 import Environment, StrictUndefined
from pydantic import BaseModel, Field, ValidationError

from retrolean.memory.errors import UserError
from retrolean.recipes.backends.calls import CallTotals, ModelCall, excerpt
from retrolean.recipes.plans import PlanTarget, stage_problems
from retrolean.recipes.recipe import STAGE_SKILLS, Parameters, StageSpec
from retrolean.recipes.stages import STAGES
from retrolean.tools.checkers import checker_tool
from retrolean.tools.generate import (
    CallFailure,
    ChatMessage,
    Completion,
    CompletionRequest,
    ModelClient,
)
from retrolean.tools.generate.parsing import ParseError, parse_output, split_reasoning
from retrolean.tools.registry import describe_tools
from retrolean.traces.schema import call_block
from retrolean.traces.writer import TraceWriter

log = logging.getLogger(__name__)
VERSION = "planner-2"
_CONFIG_ERRORS = frozenset({"auth", "not_found", "bad_url"})


class PlanProposal(BaseModel):
    """What the model answers: the stages, why, and (when revising) parameter changes."""

    rationale: str = ""
    stages: list[StageSpec] = Field(min_length=1)
    parameters: dict[str, Any] = Field(default_factory=dict)


@dataclass
class Revision:
    """A plan revised from a user's words: the plan, the parameter changes that hold, and
    one note per change clamped or refused."""

    plan: dict[str, Any]
    changes: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def describe(self, words: str) -> str:
        """One line for the trace: what was asked, the stages now, what changed, the notes.

        Example: Revision(plan, {"n": 6}).describe("n=6")
                 -> "Revised the plan as asked: n=6; stages formalize -> …; parameters {'n': 6}."
        """
        stages = " -> ".join(s["name"] for s in self.plan["stages"])
        changed = f"parameters {self.changes}" if self.changes else "no parameter changed"
        return (f"Revised the plan as asked: {words}; stages {stages}; {changed}"
                + "".join(f"; {note}" for note in self.notes) + ".")


def _bounds(name: str) -> tuple[float | None, float | None, bool, bool]:
    """(low, high, low is exclusive, high is exclusive) of a numeric parameter."""
    low = high = None
    low_open = high_open = False
    for item in Parameters.model_fields[name].metadata:
        if isinstance(item, annotated_types.Ge):
            low = float(item.ge)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Gt):
            low, low_open = float(item.gt), True  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Le):
            high = float(item.le)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Lt):
            high, high_open = float(item.lt), True  # type: ignore[arg-type]
    return low, high, low_open, high_open


def _number(name: str, value: Any) -> tuple[float | int | None, str | None]:
    """A proposed number, clamped into its bounds; or None and why it was refused."""
    kind = Parameters.model_fields[name].annotation
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None, f"{name} = {value!r} is not a number; not changed"
    try:
        number = float(value)
    except ValueError:
        return None, f"{name} = {value!r} is not a number; not changed"
    if kind is int:
        if number != int(number):
            return None, f"{name} = {value!r} is not a whole number; not changed"
        number = int(number)
    low, high, low_open, high_open = _bounds(name)
    if low is not None and (number < low or (low_open and number <= low)):
        if low_open:
            return None, f"{name} = {value!r} must be above {low:g}; not changed"
        clamped = int(low) if kind is int else low
        return clamped, f"{name} = {value!r} is below {low:g}; set to {low:g}"
    if high is not None and (number > high or (high_open and number >= high)):
        if high_open:
            return None, f"{name} = {value!r} must be below {high:g}; not changed"
        clamped = int(high) if kind is int else high
        return clamped, f"{name} = {value!r} is above {high:g}; set to {high:g}"
    return number, None


def _weights(value: Any, current: Parameters, personas: Sequence[str]
             ) -> tuple[dict[str, float] | None, list[str]]:
    """Proposed persona weights merged into the current ones; unknown personas refused."""
    if not isinstance(value, Mapping):
        return None, [f"persona_weights = {value!r} is not a mapping of persona to weight; "
                      "not changed"]
    weights, notes = dict(current.persona_weights), []
    for persona, weight in value.items():
        if persona not in personas:
            notes.append(f"persona {persona!r} does not exist (known: {', '.join(personas)}); "
                         "its weight not changed")
            continue
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            notes.append(f"weight {weight!r} of persona {persona!r} is not a number; not changed")
            continue
        if weight < 0:
            notes.append(f"weight {weight!r} of persona {persona!r} is below 0; set to 0")
        weights[persona] = max(0.0, float(weight))
    return (weights if weights != current.persona_weights else None), notes


def parameter_changes(proposed: Mapping[str, Any], current: Parameters,
                      personas: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """The parameter changes a proposal may make, and one note per value clamped or refused.

    Example: parameter_changes({"n": 6, "theme_rate": 1.5, "colour": "red"}, Parameters(n=10),
                               ["lazy_busy"])
             -> ({"n": 6, "theme_rate": 1.0}, ["theme_rate = 1.5 is above 1; set to 1",
                                               "there is no parameter 'colour'; ignored"])
    """
    changes: dict[str, Any] = {}
    notes: list[str] = []
    now = current.model_dump()
    for name, value in proposed.items():
        if name not in Parameters.model_fields:
            notes.append(f"there is no parameter {name!r}; ignored")
            continue
        if name == "persona_weights":
            weights, said = _weights(value, current, personas)
            notes += said
            if weights is not None:
                changes[name] = weights
            continue
        number, note = _number(name, value)
        if note:
            notes.append(note)
        if number is not None and number != now[name]:
            changes[name] = number
    try:
        Parameters.model_validate({**now, **changes})
    except ValidationError as error:  # a combination the schema refuses: change nothing
        first = error.errors()[0]
        notes.append(f"the changes {changes} do not validate ({first['msg']}); none applied")
        return {}, notes
    return changes, notes


def parameter_rows(params: Parameters) -> list[dict[str, str]]:
    """The run's parameters as the planner prompt lists them: name, type, bounds, value now."""
    rows = []
    for name, info in Parameters.model_fields.items():
        kind = getattr(info.annotation, "__name__", str(info.annotation))
        bounds = ""
        if info.annotation in (int, float):
            low, high, low_open, high_open = _bounds(name)
            parts = ([f"{'>' if low_open else '≥'} {low:g}"] if low is not None else []) + (
                [f"{'<' if high_open else '≤'} {high:g}"] if high is not None else [])
            bounds = ", ".join(parts)
        rows.append({"name": name, "type": kind, "bounds": bounds,
                     "now": json.dumps(getattr(params, name))})
    return rows


def planner_prompt(goal: str, default_plan: dict[str, Any], feedback: str,
                   target: PlanTarget, *, lessons: str = "", parameters: Parameters | None = None,
                   request: str = "", keep: Sequence[str] = (),
                   personas: Sequence[str] = ()) -> str:
    """The planner's prompt for this goal and run; `request` (a user's words) asks for a
    revision, which may change parameters and must keep the stages `keep` first."""
    prompt_file = resources.files("retrolean.agent.graph") / "plan_prompt.md"
    template = prompt_file.read_text(encoding="utf-8")
    stages = [{"name": name, "skill": STAGE_SKILLS[name],
               "requires": ", ".join(sorted(d.requires)),
               "provides": ", ".join(sorted(d.provides)),
               "must": ", ".join([*(["generate"] if d.generates else []), *d.needs]),
               "checks": d.checks_formal, "may": ", ".join(sorted(d.usable_tools()))}
              for name, d in STAGES.items()]
    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    return env.from_string(template).render(
        goal=goal, stages=stages, tools=describe_tools(), lessons=lessons,
        default_plan=json.dumps(default_plan.get("stages", []), indent=1),
        feedback=feedback, language=target.language.label,
        checker=checker_tool(target.language),
        renders=", ".join(sorted(f"{lang.label}" for lang in target.renders_in)),
        parameters=parameter_rows(parameters) if parameters is not None else [],
        request=request, keep=list(keep), personas=list(personas))


def kept_prefix_problem(stages: Sequence[StageSpec], keep: Sequence[str]) -> str | None:
    """Why a revised plan does not keep the stages already run first, or None if it does.

    Example: kept_prefix_problem([StageSpec(name="caption")], ["formalize"])
             -> "the stages already run (formalize) must stay first, in that order"
    """
    names = [s.name for s in stages]
    if names[:len(keep)] != list(keep):
        return f"the stages already run ({', '.join(keep)}) must stay first, in that order"
    if len(names) == len(keep):
        return "the plan must keep at least one stage after the ones already run"
    return None


class ModelPlanner:
    """Plans with a model; returns None when no valid plan came out of `1 + repairs` tries."""

    def __init__(self, client: ModelClient, target: PlanTarget, trace: TraceWriter | None = None,
                 repairs: int = 2, temperature: float = 0.6, max_tokens: int = 4096, *,
                 use_cache: bool = True, personas: Sequence[str] = ()) -> None:
        self.client = client
        self.target = target
        self.trace = trace
        self.repairs = repairs
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.use_cache = use_cache
        self.personas = list(personas)
        self._spent = CallTotals()

    def __call__(self, goal: str, current: dict[str, Any], feedback: str, *,
                 lessons: str = "") -> dict[str, Any] | None:
        """A plan for the goal (`feedback`: why the last one is replaced), or None."""
        prompt = planner_prompt(goal, current, feedback, self.target, lessons=lessons)
        proposal = self._propose(prompt, keep=())
        if proposal is None:
            return None
        return {"source": "model", "rationale": proposal.rationale,
                "stages": [s.model_dump() for s in proposal.stages]}

    def revise(self, goal: str, plan: dict[str, Any], words: str, parameters: Parameters, *,
               keep: Sequence[str] = ()) -> Revision | None:
        """The plan and parameters revised as the user's `words` ask (the stages `keep`,
        already run, stay first); None when no valid plan came out."""
        prompt = planner_prompt(goal, plan, "", self.target, parameters=parameters,
                                request=words, keep=keep, personas=self.personas)
        proposal = self._propose(prompt, keep=keep)
        if proposal is None:
            return None
        changes, notes = parameter_changes(proposal.parameters, parameters, self.personas)
        revised = {"source": "model (revised as the user asked)",
                   "rationale": proposal.rationale,
                   "stages": [s.model_dump() for s in proposal.stages]}
        return Revision(revised, changes, notes)

    def take_spent(self) -> CallTotals:
        """The totals of the planner's calls since the last take (for the run's accounting)."""
        spent, self._spent = self._spent, CallTotals()
        return spent

    # --- one proposal, repaired --------------------------------------------------------------

    def _propose(self, prompt: str, keep: Sequence[str]) -> PlanProposal | None:
        messages = [ChatMessage(role="user", content=prompt)]
        for attempt in range(1 + self.repairs):
            out = self._call(messages, attempt)
            if out is None:
                return None
            split = split_reasoning(out.text, out.reasoning)
            if self.trace and split.reasoning:
                self.trace.write("orientation", split.reasoning, data={
                    "source": "planner", "attempt": attempt + 1}, tokens_in=out.tokens_in,
                    tokens_out=out.tokens_out, elapsed_ms=out.latency_ms)
            proposal = None
            try:
                proposal = parse_output(out.text, reasoning_content=out.reasoning,
                                        schema=PlanProposal, finish_reason=out.finish_reason).data
                problems = stage_problems(proposal.stages, self.target)
                if keep and not problems:
                    problems = [p for p in [kept_prefix_problem(proposal.stages, keep)] if p]
            except ParseError as e:
                problems = [e.feedback]
            last = attempt == self.repairs
            outcome = "ok" if not problems else ("reject" if last else "reask")
            self._log(out, attempt, outcome, "; ".join(problems[:3]))
            if not problems and proposal is not None:
                return proposal
            self._note("error", f"plan attempt {attempt + 1} invalid: {problems[0]}")
            messages = [*messages, ChatMessage(role="assistant", content=split.answer or
                                               "(no answer)"),
                        ChatMessage(role="user", content="That plan is not valid: "
                                    + "; ".join(problems[:5]) + ". Answer again with a "
                                    "corrected JSON plan.")]
        return None

    def _call(self, messages: list[ChatMessage], attempt: int) -> Completion | None:
        """One planner call, counted; None (noted) when it failed after its retries."""
        request = CompletionRequest(messages=messages, temperature=self.temperature,
                                    max_tokens=self.max_tokens, skill="plan",
                                    skill_version=VERSION, use_cache=self.use_cache)
        before = self.client.stats
        (out,) = self.client.complete_many([request])
        after = self.client.stats
        self._spent.requests += after.requests - before.requests
        self._spent.tokens_in += after.tokens_in - before.tokens_in
        self._spent.tokens_out += after.tokens_out - before.tokens_out
        if isinstance(out, CallFailure):
            call = ModelCall(skill="plan", round=attempt, outcome="failed", detail=out.message,
                             attempts=out.attempts)
            self._spent.calls += 1
            self._spent.failures += 1
            if self.trace:
                self.trace.add(call_block(call, None))
            if out.kind in _CONFIG_ERRORS:
                raise UserError(f"the model endpoint refused the planner: {out.message} (check "
                                "--model, --base-url and the API key; `retrolean doctor` tests "
                                "them)")
            self._note("error", f"planner call failed: {out.message}")
            return None
        return out

    def _log(self, out: Completion, attempt: int, outcome: str, detail: str) -> None:
        """Count one answered planner call and trace it as a debug block."""
        call = ModelCall(skill="plan", round=attempt, outcome=outcome,  # type: ignore[arg-type]
                         detail=detail, cached=out.cached, attempts=out.attempts,
                         tokens_in=out.tokens_in, tokens_out=out.tokens_out,
                         latency_ms=out.latency_ms, finish_reason=out.finish_reason,
                         key=out.key,
                         reasoning=excerpt(split_reasoning(out.text, out.reasoning).reasoning))
        totals = CallTotals()
        totals.add(call)
        for name in ("calls", "cache_hits", "reasks", "rejects", "latency_ms"):
            setattr(self._spent, name, getattr(self._spent, name) + getattr(totals, name))
        if self.trace:
            self.trace.add(call_block(call, None))

    def _note(self, kind: str, text: str) -> None:
        log.info(text)
        if self.trace:
            self.trace.write(kind, text, data={"source": "planner"})  # type: ignore[arg-type]
