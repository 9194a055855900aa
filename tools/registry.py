"""The tool registry: every tool the agent can call, described once.

The planner's prompt lists these descriptions, and a plan is validated against
them: a stage may only name tools that exist here (and `save_set`, which the
agent itself calls after every stage, is not a stage's to name). Each tool
has a pydantic argument schema describing one call *batch* as the trace
records it — which skill and how many items, how many texts, how many pairs —
so an action block stays small whatever the batch size, and an SFT export
shows the calls with these schemas (`tool_schemas`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from retrolean.memory.languages import FormalLanguage


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GenerateArgs(_Args):
    skill: str = Field(description="the skill (and variant) run, e.g. caption or "
                                   "formalize.lean4")
    items: int = Field(ge=0, description="how many items the batch asks for")


Goal = Literal["consistent", "equivalent", "witnesses_agree", "interacting", "missing"]
GOAL_DESCRIPTION = ("what is decided: consistent (the text checks; sat gives a witness), "
                    "equivalent (two problems over one signature), witnesses_agree (each "
                    "side's witness solves the other), interacting (domains connected, no link "
                    "implied by the rest), missing (a version does not entail a dropped "
                    "domain)")


class SmtCheckArgs(_Args):
    texts: int = Field(ge=0, description="SMT-LIB 2 scripts (or pairs of them) decided by Z3")
    timeout_ms: int = Field(5000, ge=1, description="Z3's time limit per query")
    goal: Goal = Field("consistent", description=GOAL_DESCRIPTION)


class LeanCheckArgs(_Args):
    texts: int = Field(ge=0, description="Lean 4 texts screened and checked by Lean")
    allow_sorry: bool = Field(False, description="whether `sorry` may stand in a proof")
    goal: Goal = Field("consistent", description=GOAL_DESCRIPTION)


class EmbedSimilarityArgs(_Args):
    pairs: int = Field(ge=0, description="pairs of texts compared")
    model: str = Field("all-MiniLM-L6-v2", description="the sentence-transformers model")


class TouchstonesArgs(_Args):
    texts: int = Field(ge=0, description="formal texts searched (comments stripped)")
    language: FormalLanguage = Field(description="the texts' formal language")


class JudgeArgs(_Args):
    skill: str = Field(description="the judge's prompt, e.g. judge_presence")
    questions: int = Field(ge=0, description="yes/no questions asked")


class SaveSetArgs(_Args):
    name: str = Field(pattern=r"^[a-z0-9_\-]+$", description="the set: sets/<name>.jsonl")
    accepted: int = Field(ge=0, description="records written to the set")
    rejected: int = Field(0, ge=0, description="records written to <name>.rejects.jsonl")


class ToolSpec(BaseModel):
    """A tool as the planner sees it."""

    name: str
    purpose: str
    arguments: type[_Args]
    stage_tool: bool = True  # False: the agent's own step, not a stage's to name

    def describe(self) -> str:
        """One line for a prompt: name, purpose and argument names."""
        args = ", ".join(self.arguments.model_fields)
        return f"- {self.name}({args}): {self.purpose}"

    def schema(self) -> dict[str, Any]:
        """The tool as an OpenAI function description, parameters from its argument schema."""
        return {"type": "function", "function": {
            "name": self.name, "description": self.purpose,
            "parameters": self.arguments.model_json_schema()}}


TOOLS: dict[str, ToolSpec] = {t.name: t for t in (
    ToolSpec(name="generate", purpose="run a skill on the model (or its template process)",
             arguments=GenerateArgs),
    ToolSpec(name="smt_check", purpose="decide an SMT-LIB 2 problem with Z3 (sat gives a "
             "witness), and prove things about such problems: equivalence, links that add "
             "nothing, a domain that is really missing", arguments=SmtCheckArgs),
    ToolSpec(name="lean_check", purpose="screen and check a Lean 4 text with Lean, and prove "
             "two problems equivalent with a generated theorem", arguments=LeanCheckArgs),
    ToolSpec(name="embed_similarity", purpose="cosine similarity of texts under an embedding "
             "model", arguments=EmbedSimilarityArgs),
    ToolSpec(name="touchstones", purpose="do a domain's touchstone patterns occur in a formal "
             "text (comments stripped)", arguments=TouchstonesArgs),
    ToolSpec(name="judge", purpose="p(yes) of a yes/no question, weave-evaluator style",
             arguments=JudgeArgs),
    ToolSpec(name="save_set", purpose="write a set of records as JSONL, rejects beside it (the "
             "agent saves every stage's sets this way)", arguments=SaveSetArgs,
             stage_tool=False),
)}
STAGE_TOOLS = tuple(name for name, spec in TOOLS.items() if spec.stage_tool)


def describe_tools() -> str:
    """All tools, one line each, for the planner's prompt."""
    return "\n".join(spec.describe() for spec in TOOLS.values())


def tool_schemas() -> dict[str, dict[str, Any]]:
    """Every tool's OpenAI function description, by name (an SFT export's `tools` column)."""
    return {name: spec.schema() for name, spec in TOOLS.items()}
