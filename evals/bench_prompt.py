"""The benchmark's prompt: a Markdown file with YAML front matter and a Jinja2 body.

The prompt is data (`evals/prompts/benchmark.md`): its front matter carries
the version, temperature and output limit; its body is rendered per item.
The naming glossary lists every catalog domain with the identifier prefix its
touchstones look for (`pitch_…` for musical intervals): it lets a symbolic
check see whether the model brought the missing domain back, at the price of
showing the model the catalog's list of domains (all of them, so it does not
say which one is missing). `--no-glossary` drops it.

Example: render_prompt(prompt, "i need some way to …", SMTLIB2, [("coin_", "coin change")])
  -> "Someone describes a problem … ```smt2 … i need some way to …"
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from jinja2 import Environment, StrictUndefined
from pydantic import BaseModel

from retrolean.memory.languages import FormalLanguage
from retrolean.skills.cards import DomainCard
from retrolean.skills.prompting import split_front_matter

_PREFIX = re.compile(r"\\b([A-Za-z][A-Za-z0-9_]*)\\w[+*]")


class BenchmarkPrompt(BaseModel):
    """The benchmark's prompt file: its front matter and its Jinja2 body (not a skill prompt:
    it has no declared inputs or output schema; the answer is scored, not parsed)."""

    name: str
    version: str
    temperature: float
    max_tokens: int
    description: str = ""
    body: str


@cache
def load_benchmark_prompt(name: str = "benchmark") -> BenchmarkPrompt:
    """The prompt file `evals/prompts/<name>.md`, parsed."""
    text = resources.files("retrolean.evals").joinpath("prompts", f"{name}.md").read_text("utf-8")
    front, body = split_front_matter(text, f"{name}.md")
    return BenchmarkPrompt(**front, body=body.lstrip("\n"))


def glossary(domains: dict[str, DomainCard], language: FormalLanguage) -> list[tuple[str, str]]:
    """(identifier prefix, domain name) for each domain whose touchstone is a name prefix.

    Example: a domain with touchstone `\\bcoin_\\w+` -> ("coin_…", "coin change")
    """
    out = []
    for card in domains.values():
        for pattern in card.touchstones.smtlib2:
            match = _PREFIX.fullmatch(pattern)
            if match:
                out.append((f"{match.group(1)}…", card.name))
                break
    return sorted(out, key=lambda pair: pair[1].lower())


def render_prompt(prompt: BenchmarkPrompt, description: str, language: FormalLanguage,
                  names: list[tuple[str, str]]) -> str:
    """The user message for one description."""
    fence, language_name = language.fence, language.label
    env = Environment(undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=False)
    return env.from_string(prompt.body).render(
        description=description.strip(), language=language, language_name=language_name,
        fence=fence, glossary=names)
