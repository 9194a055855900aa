"""The benchmark's prompt: a Markdown file with YAML front matter and a Jinja2 body.

The prompt is data (`evals/prompts/benchmark.md`): its front matter carries
the version, temperature and output limit; its body is rendered per item.
The naming glossary lists every catalog domain with the identifier prefix its
touchstones look for (`pitch_…` for musical intervals): it lets a symbolic
check see whether the model brought the missing domain back, at the price of
showing the model the catalog's list of domains (all of them, so it does not
say which one is missing). `--no-glossary` drops it.

Example: render_prompt(prompt, "i need some way to …", "smtlib2", [("coin_", "coin change")])
  -> "Someone describes a problem … ```smt2 … i need some way to …"
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml
from jinja2 import Environment, StrictUndefined
from pydantic import BaseModel

from retrolean.skills.cards import DomainCard

_FENCES = {"smtlib2": ("smt2", "SMT-LIB 2"), "lean4": ("lean", "Lean 4")}
_PREFIX = re.compile(r"\\b([A-Za-z][A-Za-z0-9_]*)\\w[+*]")


class Prompt(BaseModel):
    """A prompt file: its front matter and its Jinja2 body."""

    name: str
    version: str
    temperature: float
    max_tokens: int
    description: str = ""
    body: str


@cache
def load_prompt(name: str = "benchmark") -> Prompt:
    """The prompt file `evals/prompts/<name>.md`, parsed."""
    text = resources.files("retrolean.evals").joinpath("prompts", f"{name}.md").read_text("utf-8")
    _, front, body = text.split("---\n", 2)
    return Prompt(**yaml.safe_load(front), body=body.lstrip("\n"))


def glossary(domains: dict[str, DomainCard], language: str) -> list[tuple[str, str]]:
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


def render_prompt(prompt: Prompt, description: str, language: str,
                  names: list[tuple[str, str]]) -> str:
    """The user message for one description."""
    fence, language_name = _FENCES[language]
    env = Environment(undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=False)
    return env.from_string(prompt.body).render(
        description=description.strip(), language=language, language_name=language_name,
        fence=fence, glossary=names)
