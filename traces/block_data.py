"""What each kind of trace block carries: one pydantic model per block type's `data`.

A block's `data` is typed by its block type (`traces/schema.py` pairs them):
an orientation carries the plan or the stage it starts, an action the tool
call, an expectation the yield it states, an observation what a tool gave
back (for `save_set`, the stage's `StageYield`), an evaluation the decision
or a judged question's model call, an outcome how the run ended, a debug
block one model call's accounting. Readers take fields, not dict keys.

`StageYield` — records into and out of one stage — lives here because it is
the observation's data and every reader of yields (the run report, run
summaries, the evaluations) may import `traces`. So does `Decision`, the
evaluation's data, and `ModelCall`, the debug block's. Trade-off: the plan
in an orientation stays a plain dict (plan.json as written): its stage
schema belongs to `recipes`, which `traces` may not import.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator


class BlockData(BaseModel):
    """Data of one block type; unknown fields are refused, so a typo is a bug caught early."""

    model_config = ConfigDict(extra="forbid")


class StageYield(BlockData):
    """Records into and out of one stage, why the rest were rejected, and where its sets went.

    Example: StageYield(stage="formalize", records_in=12, records_out=9, rejected=3).summary()
             -> "12 -> 9 (3 rejected)"
    """

    stage: str
    records_in: int
    records_out: int
    rejected: int = 0
    reasons: dict[str, int] = Field(default_factory=dict)  # reject kind -> count
    examples: dict[str, str] = Field(default_factory=dict)  # reject kind -> its reasons in one
    # line, with the figures' ranges (recipes/stages/reasons.py)
    figures: dict[str, Any] = Field(default_factory=dict)  # the stage's own figures
    seconds: float | None = None
    set_path: str | None = None
    rejects_path: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        if isinstance(data, dict) and "yield_frac" in data:  # derived; dumps carry it
            data = {k: v for k, v in data.items() if k != "yield_frac"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def yield_frac(self) -> float:
        """Share of the stage's input it kept, to 4 places (0 for no input)."""
        return round(self.records_out / self.records_in, 4) if self.records_in else 0.0

    @property
    def yield_pct(self) -> float:
        return 100 * self.yield_frac

    def summary(self) -> str:
        """'12 -> 9 (3 rejected)'."""
        return f"{self.records_in} -> {self.records_out} ({self.rejected} rejected)"


class StageStart(BlockData):
    """A stage about to run: its skill, the tools its plan names, its input, the attempt."""

    name: str
    skill: str
    tools: list[str] = Field(default_factory=list)
    records_in: int
    attempt: int = 1
    parameters: dict[str, Any] = Field(default_factory=dict)  # overrides in force


class OrientationData(BlockData):
    """A plan (written or revised), parameter edits, a stage starting, or planner reasoning."""

    plan: dict[str, Any] | None = None  # {"source", "rationale", "stages": [...]}
    lessons: str | None = None
    overrides: dict[str, Any] | None = None
    stage: StageStart | None = None
    source: str | None = None  # "planner" for the model planner's reasoning
    attempt: int | None = None


class ToolCall(BlockData):
    """An action: one call of a tool, its arguments as the tool registry's schema has them."""

    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ExpectationData(BlockData):
    """What a stage is expected to yield, as a number where the plan states one."""

    min_yield: float | None = None


class ObservationData(BlockData):
    """What a tool call gave back: counts by status, figures, and for save_set the yield."""

    tool: str | None = None
    counts: dict[str, int] = Field(default_factory=dict)  # e.g. {"sat": 9, "unsat": 3}
    figures: dict[str, Any] = Field(default_factory=dict)
    stage_yield: StageYield | None = None


Action = Literal["continue", "retry", "replan", "stop", "finish"]


class Decision(BlockData):
    """What the agent does after a stage, and why."""

    action: Action
    reason: str
    retry_from: str | None = None
    changes: dict[str, Any] = Field(default_factory=dict)


Outcome = Literal["ok", "reask", "reject", "failed"]


class ModelCall(BlockData):
    """One model call of a skill and what came of it (a debug block's data)."""

    skill: str = Field(description="skill id, e.g. formalize.lean4")
    round: int = Field(0, description="0 for the first ask, then 1, 2 for re-asks")
    outcome: Outcome = Field(description="ok: parsed; reask: asked again; reject: item "
                                         "failed; failed: the call itself failed")
    detail: str = Field("", description="the parse or call error, when there was one")
    cached: bool = False
    attempts: int = Field(0, description="HTTP attempts (0 for a cache hit)")
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    finish_reason: str | None = None
    reasoning: str = Field("", description="an excerpt of the model's reasoning")
    key: str = Field("", description="the response cache key of the call")
    judge_method: str | None = None
    p_yes: float | None = None
    score: float | None = Field(None, description="judge: log-odds of yes")
    question: str | None = None

    @property
    def judged(self) -> bool:
        """Whether this call answered a judged yes/no question."""
        return self.question is not None and self.p_yes is not None


class EvaluationData(BlockData):
    """A decision on a stage's yield, or a judged question (the judge's model call)."""

    decision: Decision | None = None
    observed: float | None = None  # the stage's yield
    expected: float | None = None  # the yield its plan expected
    judged: ModelCall | None = None


class OutcomeData(BlockData):
    """How the run ended: status, problems that made it through, yields per stage."""

    status: str
    final: int = 0
    sampled: int | None = None
    yields: dict[str, float] = Field(default_factory=dict)
    budget_used: float | None = None  # share of the run's budget spent, where it had one


class ErrorData(BlockData):
    """Where an error came from, when not from the run itself (e.g. the planner)."""

    source: str | None = None


class TaskReminderData(BlockData):
    """A reminder of where the run stands, e.g. the steps due after a resume."""

    next: list[str] = Field(default_factory=list)


class NoData(BlockData):
    """A block type whose body says it all (user messages, backtracks)."""
