"""The model planner: a stage plan as structured output, validated, repaired, or given up on.

The model sees the goal, the stages (with what they need and make, and the
tools each must or may call), the tool registry, the recipe's default plan
and recent lessons, and answers with a JSON plan. The plan is parsed (R1
think blocks and prose tolerated) and validated against the stage registry,
the tool registry and the run (backend, formal language: `PlanTarget`);
problems go back to the model (at most `repairs` times); after that the
planner returns None and the graph falls back to the recipe's plan, recording
why.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from typing import Any

from jinja2 import Environment, StrictUndefined
from pydantic import BaseModel, Field

from retrolean.recipes.plans import PlanTarget, stage_problems
from retrolean.recipes.recipe import STAGE_SKILLS, StageSpec
from retrolean.recipes.stages import STAGES
from retrolean.tools.checkers import checker_tool
from retrolean.tools.generate import CallFailure, ChatMessage, CompletionRequest, ModelClient
from retrolean.tools.generate.parsing import ParseError, parse_output
from retrolean.tools.registry import describe_tools
from retrolean.traces.writer import TraceWriter

log = logging.getLogger(__name__)
VERSION = "planner-1"


class PlanProposal(BaseModel):
    rationale: str = ""
    stages: list[StageSpec] = Field(min_length=1)


def planner_prompt(goal: str, default_plan: dict[str, Any], feedback: str,
                   target: PlanTarget) -> str:
    """The planner's prompt for this goal and run."""
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
        goal=goal, stages=stages, tools=describe_tools(), lessons="",
        default_plan=json.dumps(default_plan.get("stages", []), indent=1),
        feedback=feedback, language=target.language.label,
        checker=checker_tool(target.language),
        renders=", ".join(sorted(f"{lang.label}" for lang in target.renders_in)))


class ModelPlanner:
    """Plans with a model; returns None when no valid plan came out of `1 + repairs` tries."""

    def __init__(self, client: ModelClient, target: PlanTarget, trace: TraceWriter | None = None,
                 repairs: int = 2, temperature: float = 0.6, max_tokens: int = 4096) -> None:
        self.client = client
        self.target = target
        self.trace = trace
        self.repairs = repairs
        self.temperature = temperature
        self.max_tokens = max_tokens

    def __call__(self, goal: str, current: dict[str, Any], feedback: str) -> dict[str, Any] | None:
        messages = [ChatMessage(role="user", content=planner_prompt(goal, current, feedback,
                                                                    self.target))]
        for attempt in range(1 + self.repairs):
            request = CompletionRequest(messages=messages, temperature=self.temperature,
                                        max_tokens=self.max_tokens, skill="plan",
                                        skill_version=VERSION, sample=attempt)
            (out,) = self.client.complete_many([request])
            if isinstance(out, CallFailure):
                self._note("error", f"planner call failed: {out.message}")
                return None
            if self.trace and out.reasoning:
                self.trace.write("orientation", out.reasoning, data={"source": "planner",
                                 "attempt": attempt + 1}, tokens_in=out.tokens_in,
                                 tokens_out=out.tokens_out, elapsed_ms=out.latency_ms)
            try:
                proposal = parse_output(out.text, schema=PlanProposal,
                                        finish_reason=out.finish_reason).data
                problems = stage_problems(proposal.stages, self.target)
            except ParseError as e:
                problems = [e.feedback]
            if not problems:
                return {"source": "model", "rationale": proposal.rationale,
                        "stages": [s.model_dump() for s in proposal.stages]}
            self._note("error", f"plan attempt {attempt + 1} invalid: {problems[0]}")
            messages = [*messages, ChatMessage(role="assistant", content=out.text),
                        ChatMessage(role="user", content="That plan is not valid: "
                                    + "; ".join(problems[:5]) + ". Answer again with a "
                                    "corrected JSON plan.")]
        return None

    def _note(self, kind: str, text: str) -> None:
        log.info(text)
        if self.trace:
            self.trace.write(kind, text, data={"source": "planner"})  # type: ignore[arg-type]
