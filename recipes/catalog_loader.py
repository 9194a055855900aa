"""Load and validate the catalogs: domains, personas, conversation templates, themes.

Every file is validated with pydantic; any problem — bad YAML, a missing or
malformed field, a duplicate id, a reference to an unknown id — is a
`UserError` whose one line names the file and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from retrolean.memory.errors import UserError
from retrolean.skills.cards import ConversationTemplate, DomainCard, PersonaCard

CATALOG_DIR = Path(str(resources.files("retrolean.recipes") / "catalog"))

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, turning any failure into a one-line UserError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise UserError(f"{path}: cannot read ({e.strerror})") from e
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(e, "problem", None) or "invalid YAML"
        raise UserError(f"{path}:{where} {problem}") from e


def validation_message(path: Path, e: ValidationError, prefix: str = "") -> str:
    """The first validation error as 'file: field.path: message'."""
    err = e.errors()[0]
    loc = ".".join(str(p) for p in (prefix, *err["loc"]) if p != "")
    return f"{path}: {loc or 'document'}: {err['msg']}"


def load_list(path: Path, model: type[M]) -> list[M]:
    """A YAML list of `model` entries, each validated, ids unique within the file."""
    data = read_yaml(path)
    if not isinstance(data, list):
        raise UserError(f"{path}: expected a list of entries, got {type(data).__name__}")
    out = []
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise UserError(f"{path}: [{i}]: expected a mapping")
        label = entry.get("id", i)
        try:
            out.append(model.model_validate(entry))
        except ValidationError as e:
            raise UserError(validation_message(path, e, f"[{label}]")) from e
    return out


def _unique(items: list[Any], what: str, where: Path) -> dict[str, Any]:
    by_id: dict[str, Any] = {}
    for item in items:
        if item.id in by_id:
            raise UserError(f"{where}: duplicate {what} id {item.id!r}")
        by_id[item.id] = item
    return by_id


@cache
def load_domains(directory: Path = CATALOG_DIR / "domains") -> dict[str, DomainCard]:
    """Every domain card under the directory (all *.yaml files), by id."""
    if not directory.is_dir():
        raise UserError(f"{directory}: domain catalog directory not found")
    cards: list[DomainCard] = []
    for path in sorted(directory.glob("*.yaml")):
        cards += load_list(path, DomainCard)
    if not cards:
        raise UserError(f"{directory}: no domains found")
    return _unique(cards, "domain", directory)


@cache
def load_personas(path: Path = CATALOG_DIR / "personas.yaml") -> dict[str, PersonaCard]:
    """The persona catalog, by id."""
    return _unique(load_list(path, PersonaCard), "persona", path)


@cache
def load_conversations(
    path: Path = CATALOG_DIR / "conversations.yaml",
) -> dict[str, ConversationTemplate]:
    """The conversation templates, by id."""
    return _unique(load_list(path, ConversationTemplate), "conversation template", path)


@cache
def load_themes(path: Path = CATALOG_DIR / "themes.yaml") -> list[str]:
    """Optional problem themes: short phrases that colour a problem's story."""
    data = read_yaml(path)
    if not isinstance(data, list) or not all(isinstance(t, str) and t.strip() for t in data):
        raise UserError(f"{path}: expected a list of non-empty strings")
    return data


@dataclass(frozen=True)
class Catalog:
    """Everything the recipe samples from."""

    domains: dict[str, DomainCard]
    personas: dict[str, PersonaCard]
    conversations: dict[str, ConversationTemplate]
    themes: list[str]


CATALOG_PARTS = ("domains", "personas.yaml", "conversations.yaml", "themes.yaml")


def check_catalog_layout(directory: Path) -> None:
    """UserError unless the directory holds at least one catalog part and nothing that looks
    like a misplaced one (a YAML file the catalog would not read)."""
    if not directory.is_dir():
        raise UserError(f"catalog directory {directory} not found")
    expected = "domains/*.yaml, personas.yaml, conversations.yaml or themes.yaml"
    stray = sorted(p.name for p in directory.iterdir()
                   if p.suffix in (".yaml", ".yml") and p.name not in CATALOG_PARTS)
    if stray:
        raise UserError(f"catalog directory {directory} holds {stray[0]}, which the catalog "
                        f"does not read; it reads {expected} (domain files go in domains/)")
    if not any((directory / part).exists() for part in CATALOG_PARTS):
        raise UserError(f"catalog directory {directory} holds none of {expected}; "
                        "`retrolean domains` shows the shipped catalog's layout")


def load_catalog(directory: Path | None = None) -> Catalog:
    """The shipped catalog, or a user's directory overriding any of its parts.

    A user directory may hold `domains/*.yaml`, `personas.yaml`, `conversations.yaml` and
    `themes.yaml`; whatever it lacks comes from the shipped catalog.
    """
    if directory is not None:
        check_catalog_layout(directory)

    def pick(name: str) -> Path:
        if directory is not None and (directory / name).exists():
            return directory / name
        return CATALOG_DIR / name

    return Catalog(domains=load_domains(pick("domains")), personas=load_personas(pick(
        "personas.yaml")), conversations=load_conversations(pick("conversations.yaml")),
        themes=load_themes(pick("themes.yaml")))
