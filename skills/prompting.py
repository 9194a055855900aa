"""Skill prompts as data: Markdown files with YAML front matter and a Jinja2 body.

A skill keeps its prompt next to its template process, in
`skills/<skill>/prompt.md`, or `prompt.<variant>.md` where the skill has
variants (the formal language of `formalize`, each persona of `persona`, with
or without a frame shift for `drop_domain`). The front matter says what the
prompt is and what it returns:

    ---
    name: caption
    version: "1"
    inputs: [formal, language]
    output: {kind: json, schema: Caption}     # a class in skills/caption/schema.py
    temperature: 0.6
    max_tokens: 4096
    ---
    # Task: caption
    ... Jinja2, e.g. {{ formal }} ...

Output kinds: `code` (one fenced block of `language`), `json` (an object
validating against `schema`), `yes_no` (a one-word answer scored by the
judge; `question` is then the judged question, itself a Jinja2 template).
`temperature: null` means the caller supplies it (a persona card's own).

Trade-offs: the rendered body is the whole prompt, one user message — no
system message, as DeepSeek advises for R1 — so a prompt file reads exactly
as the model sees it. Rendering is strict: an input the front matter does not
declare, or a declared one not given, is an error (StrictUndefined catches
typos inside the body too), because a silently empty slot makes a plausible
but wrong prompt. Files are parsed once per process (`load_prompt` caches).

Example:
    prompt = load_prompt("formalize", "smtlib2")
    prompt.render(domains=[...], theme=None) -> "# Task: formalize ..."
    prompt.skill_id -> "formalize.smtlib2"; prompt.schema() -> None (code output)
"""

from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import Any, Literal

import jinja2
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

SKILLS_DIR = Path(__file__).resolve().parent
_FRONT = "---"
_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, trim_blocks=True,
                          lstrip_blocks=True, keep_trailing_newline=False, autoescape=False)


class PromptError(ValueError):
    """A prompt file that cannot be read, or inputs that do not fit it (a bug, not user input)."""


class OutputSpec(BaseModel):
    """What the model must answer with."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: Literal["code", "json", "yes_no"]
    language: str | None = Field(None, description="code: the fence language")
    schema_name: str | None = Field(None, alias="schema",
                                    description="json: a class in skills/<skill>/schema.py")

    @model_validator(mode="after")
    def _complete(self) -> OutputSpec:
        if self.kind == "code" and not self.language:
            raise ValueError("output kind code needs a language")
        if self.kind == "json" and not self.schema_name:
            raise ValueError("output kind json needs a schema")
        return self


class FrontMatter(BaseModel):
    """The front matter of a prompt file."""

    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    description: str = ""
    inputs: list[str]
    output: OutputSpec
    temperature: float | None = Field(ge=0.0, le=2.0)
    max_tokens: int = Field(ge=1)
    question: str | None = Field(None, description="yes_no: the judged question (Jinja2)")

    @model_validator(mode="after")
    def _question(self) -> FrontMatter:
        if self.output.kind == "yes_no" and not self.question:
            raise ValueError("output kind yes_no needs a question")
        return self


class Prompt:
    """One parsed prompt file: its front matter and its Jinja2 body."""

    def __init__(self, skill: str, variant: str | None, meta: FrontMatter, body: str,
                 path: Path) -> None:
        self.skill = skill
        self.variant = variant
        self.meta = meta
        self.path = path
        self._body = _ENV.from_string(body)
        self._question = _ENV.from_string(meta.question) if meta.question else None

    @property
    def skill_id(self) -> str:
        """The skill and variant, as cache keys and traces name it. Example: "persona.lazy_busy"."""
        return f"{self.skill}.{self.variant}" if self.variant else self.skill

    def _check_inputs(self, inputs: dict[str, Any]) -> None:
        declared = set(self.meta.inputs)
        missing, extra = declared - set(inputs), set(inputs) - declared
        if missing or extra:
            raise PromptError(f"{self.path.name}: inputs {sorted(inputs)} do not match the "
                              f"declared {sorted(declared)}")

    def render(self, **inputs: Any) -> str:
        """The prompt text for these inputs (exactly the declared ones)."""
        self._check_inputs(inputs)
        try:
            return self._body.render(**inputs).strip() + "\n"
        except jinja2.TemplateError as error:
            raise PromptError(f"{self.path.name}: {error}") from error

    def question(self, **inputs: Any) -> str:
        """The judged question of a yes_no prompt, rendered; "" for other kinds."""
        if self._question is None:
            return ""
        self._check_inputs(inputs)
        return self._question.render(**inputs).strip()

    def schema(self) -> type[BaseModel] | None:
        """The pydantic class a json prompt's answer must validate against; None otherwise."""
        name = self.meta.output.schema_name
        if self.meta.output.kind != "json" or name is None:
            return None
        module = importlib.import_module(f"retrolean.skills.{self.skill}.schema")
        found = getattr(module, name, None)
        if not (isinstance(found, type) and issubclass(found, BaseModel)):
            raise PromptError(f"{self.path.name}: skills.{self.skill}.schema has no pydantic "
                              f"class {name}")
        return found


def prompt_path(skill: str, variant: str | None = None) -> Path:
    """Where a skill's prompt (variant) lives. Example: ("persona", "autodidact") ->
    skills/persona/prompt.autodidact.md"""
    return SKILLS_DIR / skill / (f"prompt.{variant}.md" if variant else "prompt.md")


def has_prompt(skill: str, variant: str | None = None) -> bool:
    """Whether the skill ships that prompt."""
    return prompt_path(skill, variant).is_file()


def split_front_matter(text: str, name: str = "prompt") -> tuple[dict[str, Any], str]:
    """The YAML front matter (as a dict) and the body of a Markdown file.

    Example: split_front_matter("---\\nname: x\\n---\\nHello") -> ({"name": "x"}, "Hello")
    """
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != _FRONT:
        raise PromptError(f"{name}: no front matter (the file must start with ---)")
    for end in range(1, len(lines)):
        if lines[end].strip() == _FRONT:
            try:
                meta = yaml.safe_load("".join(lines[1:end])) or {}
            except yaml.YAMLError as error:
                raise PromptError(f"{name}: front matter is not YAML: {error}") from error
            if not isinstance(meta, dict):
                raise PromptError(f"{name}: front matter must be a mapping")
            return meta, "".join(lines[end + 1:])
    raise PromptError(f"{name}: front matter never closes (no second ---)")


@functools.cache
def load_prompt(skill: str, variant: str | None = None) -> Prompt:
    """The parsed prompt of a skill (variant); PromptError if it is missing or malformed."""
    path = prompt_path(skill, variant)
    if not path.is_file():
        raise PromptError(f"skill {skill!r} has no prompt {path.name}")
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    try:
        front = FrontMatter.model_validate(meta)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "front matter"
        raise PromptError(f"{path.name}: {where}: {first['msg']}") from error
    if front.name != skill:
        raise PromptError(f"{path.name}: name {front.name!r} is not the skill {skill!r}")
    try:
        return Prompt(skill, variant, front, body, path)
    except jinja2.TemplateSyntaxError as error:
        raise PromptError(f"{path.name}: line {error.lineno}: {error.message}") from error


def prompt_versions() -> dict[str, str]:
    """The version of every shipped prompt, by skill id. Example: {"caption": "1", …}."""
    versions: dict[str, str] = {}
    for path in sorted(SKILLS_DIR.glob("*/prompt*.md")):
        skill = path.parent.name
        variant = path.stem.removeprefix("prompt").removeprefix(".") or None
        prompt = load_prompt(skill, variant)
        versions[prompt.skill_id] = prompt.meta.version
    return versions
