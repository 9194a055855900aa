"""The tool registry: every tool the agent can call, described once.

The planner's prompt lists these descriptions, and a plan is validated against
them: a stage may only name tools that exist here. Each tool has a pydantic
argument schema, so a call can be validated before it runs.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class SmtCheckArgs(BaseModel):
    text: str = Field(description="SMT-LIB 2 script")
    timeout_ms: int = Field(5000, ge=1)


class LeanCheckArgs(BaseModel):
    text: str = Field(description="Lean 4 source")
    allow_sorry: bool = False


class EmbedSimilarityArgs(BaseModel):
    pairs: list[tuple[str, str]] = Field(description="pairs of texts to compare")
    model: str = "all-MiniLM-L6-v2"


class TouchstonesArgs(BaseModel):
    text: str
    patterns: list[str]
    language: str = Field(pattern="^(smtlib2|lean4)$")


class JudgeArgs(BaseModel):
    question: str = Field(description="a yes/no question")
    context: str


class GenerateArgs(BaseModel):
    skill: str
    inputs: dict[str, object] = Field(default_factory=dict)


class SaveSetArgs(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9_\-]+$")


class ToolSpec(BaseModel):
    """A tool as the planner sees it."""

    name: str
    purpose: str
    arguments: type[BaseModel]

    def describe(self) -> str:
        """One line for a prompt: name, purpose and argument names."""
        args = ", ".join(self.arguments.model_fields)
        return f"- {self.name}({args}): {self.purpose}"


TOOLS: dict[str, ToolSpec] = {t.name: t for t in (
    ToolSpec(name="generate", purpose="run a skill on the model (or its template process)",
             arguments=GenerateArgs),
    ToolSpec(name="smt_check", purpose="decide an SMT-LIB 2 problem with Z3; sat gives a witness",
             arguments=SmtCheckArgs),
    ToolSpec(name="lean_check", purpose="screen and check a Lean 4 text with Lean",
             arguments=LeanCheckArgs),
    ToolSpec(name="embed_similarity", purpose="cosine similarity of texts under an embedding "
             "model", arguments=EmbedSimilarityArgs),
    ToolSpec(name="touchstones", purpose="do a domain's touchstone patterns occur in a formal "
             "text (comments stripped)", arguments=TouchstonesArgs),
    ToolSpec(name="judge", purpose="p(yes) of a yes/no question, weave-evaluator style",
             arguments=JudgeArgs),
    ToolSpec(name="save_set", purpose="write a set of records as JSONL, rejects beside it",
             arguments=SaveSetArgs),
)}


def describe_tools() -> str:
    """All tools, one line each, for the planner's prompt."""
    return "\n".join(spec.describe() for spec in TOOLS.values())
