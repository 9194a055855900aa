"""Parsing R1-style model output: reasoning, then an answer holding code or JSON.

An R1 answer is `<think>…</think>` followed by the answer; servers differ in
how they deliver it (the whole think block inline, only the closing tag
because the chat template opened it, or the reasoning in a separate
`reasoning_content` field), and output cut off by `max_tokens` leaves the
think block or a code fence open. `split_reasoning` normalizes all of these;
`extract_code` and `extract_json` find the requested payload in the answer;
`parse_output` does the whole job and raises `ParseError` whose `feedback`
can be shown to the model when it is asked again.

Trade-off: extraction is lenient about where the payload sits (prose around
it, an unlabeled fence, JSON without a fence) but strict about its shape (a
fence must close, JSON must parse and validate): a lenient parser raises the
yield, and the strict half keeps truncated or malformed text out of the data.
Refusals are recognised by their opening phrase only, and only when no payload
was found, so "I'm sorry, here is the corrected version: ```lean …```" parses.
"""

from __future__ import annotations

import json
import re
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)

ParseErrorKind = Literal["empty", "refusal", "truncated", "no_code", "no_json",
                         "invalid_json", "schema"]

_THINK_OPEN = "<think>"
_THINK_CLOSE = "</think>"
_THINK_BLOCK = re.compile(r"<think>(.*?)</think>", re.DOTALL)

# Fence labels accepted for each formal language; the key is the canonical name.
_LANGUAGE_LABELS: dict[str, frozenset[str]] = {
    "lean4": frozenset({"lean", "lean4"}),
    "smtlib2": frozenset({"smt2", "smtlib", "smtlib2", "smt-lib", "smt-lib2", "smt"}),
    "json": frozenset({"json", "jsonc"}),
}
_LANGUAGE_NAMES = {"lean4": "Lean 4", "smtlib2": "SMT-LIB 2", "json": "JSON"}
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n]*$", re.MULTILINE)

_REFUSAL = re.compile(
    r"^\W*(i'?m sorry|i am sorry|sorry,? (but )?i|i apologi[sz]e|i can(no|')t|i cannot|"
    r"i (am|'m) (not able|unable)|i won'?t|i will not|as an ai|unfortunately,? i can)",
    re.IGNORECASE,
)


class ParseError(ValueError):
    """The output does not hold what was asked; `feedback` is worded for the model.

    `kind` says which failure it is, so a caller can decide whether to ask the
    model again (no_code, no_json, invalid_json, schema, truncated) or to
    reject the item at once (empty, refusal).
    """

    def __init__(self, kind: ParseErrorKind, feedback: str) -> None:
        super().__init__(feedback)
        self.kind: ParseErrorKind = kind
        self.feedback = feedback


class Reasoned(BaseModel):
    """Output split into the reasoning and the answer; `truncated` if the reasoning never ended."""

    reasoning: str
    answer: str
    truncated: bool = False


class CodeBlock(BaseModel):
    """A fenced code block: its canonical language, the label as written, and the code."""

    language: str
    label: str
    code: str
    notes: list[str] = []


class ParsedOutput(BaseModel, Generic[T]):
    """Everything `parse_output` found: reasoning, answer, and the requested payload."""

    reasoning: str
    answer: str
    code: CodeBlock | None = None
    data: T | None = None


def split_reasoning(text: str, reasoning_content: str | None = None) -> Reasoned:
    """Separate R1 reasoning from the answer, from inline tags or a separate field.

    Example: split_reasoning("<think>try 2</think>\\n\\nIt is 4.") -> reasoning "try 2",
             answer "It is 4."
    Example: split_reasoning("try 2</think>It is 4.") -> same (template opened the tag)
    Example: split_reasoning("<think>try 2, then") -> reasoning "try 2, then", answer "",
             truncated True
    """
    parts: list[str] = [reasoning_content.strip()] if reasoning_content else []
    text = text or ""
    truncated = False
    if _THINK_CLOSE in text and _THINK_OPEN not in text.split(_THINK_CLOSE, 1)[0]:
        head, text = text.split(_THINK_CLOSE, 1)
        parts.append(head.strip())
    parts += [m.strip() for m in _THINK_BLOCK.findall(text)]
    text = _THINK_BLOCK.sub("", text)
    if _THINK_OPEN in text:
        text, tail = text.split(_THINK_OPEN, 1)
        parts.append(tail.strip())
        truncated = True
    text = text.replace(_THINK_CLOSE, "")
    return Reasoned(reasoning="\n\n".join(p for p in parts if p), answer=text.strip(),
                    truncated=truncated)


def canonical_language(language: str) -> str:
    """The canonical name of a fence label or language name (unknown names pass lower-cased).

    Example: canonical_language("smt2") -> "smtlib2"; canonical_language("Lean") -> "lean4"
    """
    label = language.strip().lower()
    for name, labels in _LANGUAGE_LABELS.items():
        if label == name or label in labels:
            return name
    return label


def _fences(text: str) -> tuple[list[tuple[str, str, int]], tuple[str, int] | None]:
    """Complete fenced blocks as (label, code, line) and the label/line of an unclosed one."""
    blocks: list[tuple[str, str, int]] = []
    opened: tuple[str, str, int, int] | None = None  # fence, label, body start, line
    for match in _FENCE.finditer(text):
        fence, label = match.group(1), match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        if opened is None:
            opened = (fence, label, match.end() + 1, line)
        elif fence[0] == opened[0][0] and len(fence) >= len(opened[0]) and not label:
            blocks.append((opened[1], text[opened[2]:match.start()].rstrip("\n"), opened[3]))
            opened = None
    unclosed = (opened[1], opened[3]) if opened is not None else None
    return blocks, unclosed


def extract_code(answer: str, language: str) -> CodeBlock:
    """The last complete fenced block of `language` (any of its labels); else the last unlabeled.

    Raises ParseError (truncated) when the only candidate fence never closes, and
    ParseError (no_code) when there is no candidate at all.

    Example: extract_code("Here:\\n```smt2\\n(check-sat)\\n```", "smtlib2").code -> "(check-sat)"
    """
    want = canonical_language(language)
    name = _LANGUAGE_NAMES.get(want, language)
    blocks, unclosed = _fences(answer)
    labelled = [b for b in blocks if canonical_language(b[0]) == want]
    unlabeled = [b for b in blocks if not b[0]]
    chosen = labelled[-1] if labelled else (unlabeled[-1] if unlabeled else None)
    unclosed_matches = unclosed is not None and (
        not unclosed[0] or canonical_language(unclosed[0]) == want)
    if chosen is None:
        if unclosed_matches and unclosed is not None:
            raise ParseError("truncated", (
                f"Your answer was cut off: the ```{unclosed[0] or want} block opened on line "
                f"{unclosed[1]} never closes. Give the complete {name} text in one fenced "
                f"block and close it with ```."))
        raise ParseError("no_code", (
            f"Your answer has no ```{want} code block. Put the complete {name} text in one "
            f"block that starts with ```{want} and ends with ```."))
    notes = []
    if unclosed_matches and unclosed is not None and unclosed[1] > chosen[2]:
        notes.append(f"a later block opened on line {unclosed[1]} never closes; ignored")
    label, code, _line = chosen
    return CodeBlock(language=want, label=label, code=code, notes=notes)


def _balanced_end(text: str, start: int) -> int | None:
    """Index just past the bracket that closes the one at `start`, or None if it never closes."""
    depth = 0
    in_string = False
    escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _json_candidates(answer: str) -> tuple[list[str], bool]:
    """Texts that may be JSON, fenced json blocks first; and whether one bracket never closed."""
    blocks, _unclosed = _fences(answer)
    candidates = [code for label, code, _ in blocks if canonical_language(label) == "json"]
    candidates += [code for label, code, _ in blocks if not label]
    cut_off = False
    starts = [m.start() for m in re.finditer(r"[\[{]", answer)][:200]
    covered_until = -1
    for start in starts:
        if start < covered_until:
            continue
        end = _balanced_end(answer, start)
        if end is None:
            cut_off = cut_off or start > covered_until
            continue
        candidates.append(answer[start:end])
        covered_until = end if answer[start] == "{" else -1
    return candidates, cut_off


def _schema_summary(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "(top level)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def find_json(answer: str) -> Any:
    """The first JSON object or array in the answer (fenced or in prose) that parses.

    Example: find_json('Sure: {"a": [1, 2]} done') -> {"a": [1, 2]}
    """
    candidates, cut_off = _json_candidates(answer)
    worst: tuple[int, str] | None = None  # the longest candidate that fails is the JSON meant
    for text in candidates:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            if worst is None or len(text) > worst[0]:
                worst = (len(text), f"{exc.msg} at line {exc.lineno} column {exc.colno}")
    if worst is not None:
        raise ParseError("invalid_json", (
            f"Your JSON does not parse ({worst[1]}). Answer with one valid JSON value "
            "in a ```json block: double quotes, no comments, no trailing commas."))
    if cut_off:
        raise ParseError("truncated", (
            "Your answer was cut off before the JSON closed. Answer again with the "
            "complete JSON in a ```json block, kept short."))
    raise ParseError("no_json", "Your answer has no JSON. Answer with one JSON value in a "
                                "```json block.")


def extract_json(answer: str, schema: type[T]) -> T:
    """The first JSON value in the answer that validates against `schema`.

    Candidates are tried in order (```json fences, unlabeled fences, then each
    balanced {…} or […] in the prose); the first that parses and validates wins.

    Example: extract_json('I think {"ok": true}.', Flag) -> Flag(ok=True)
    """
    candidates, _cut_off = _json_candidates(answer)
    schema_error: str | None = None
    for text in candidates:
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            continue
        try:
            return schema.model_validate(value)
        except ValidationError as exc:
            schema_error = schema_error or _schema_summary(exc)
    if schema_error:
        fields = ", ".join(schema.model_fields)
        raise ParseError("schema", (
            f"Your JSON does not match the expected shape ({schema_error}). Answer with one "
            f"JSON object with the fields: {fields}."))
    find_json(answer)  # raises the precise no_json / invalid_json / truncated error
    raise ParseError("no_json", "Your answer has no usable JSON.")


def is_refusal(answer: str) -> bool:
    """Whether the answer opens like a refusal ("I'm sorry, but I can't …").

    Example: is_refusal("I cannot help with that.") -> True
    """
    return bool(_REFUSAL.match(answer.strip()))


def parse_output(text: str, *, reasoning_content: str | None = None,
                 language: str | None = None, schema: type[T] | None = None,
                 finish_reason: str | None = None) -> ParsedOutput[T]:
    """Split reasoning off and extract the requested payload: code of `language`, or `schema` JSON.

    With neither, the answer text itself is the payload. Raises ParseError:
    empty (no answer at all), refusal, truncated (cut off in the reasoning or
    the payload, or finish_reason "length" with nothing usable), or the
    extraction's own error.

    Example: parse_output("<think>ok</think>```lean\\ntheorem t : True := trivial\\n```",
                          language="lean4").code.code -> "theorem t : True := trivial"
    """
    split = split_reasoning(text, reasoning_content)
    answer = split.answer
    if not answer:
        if split.truncated or finish_reason == "length":
            raise ParseError("truncated", (
                "Your answer was cut off while you were still thinking. Think more briefly "
                "and give the final answer."))
        raise ParseError("empty", "Your answer was empty.")
    try:
        code = extract_code(answer, language) if language else None
        data = extract_json(answer, schema) if schema is not None else None
    except ParseError as exc:
        if is_refusal(answer):
            raise ParseError("refusal", f"The model refused: {answer[:200]}") from exc
        if finish_reason == "length" and exc.kind != "truncated":
            raise ParseError("truncated", (
                "Your answer was cut off before it was complete. Answer again, more "
                f"briefly. ({exc.feedback})")) from exc
        raise
    if code is None and data is None and is_refusal(answer) and len(answer) < 400:
        raise ParseError("refusal", f"The model refused: {answer[:200]}")
    return ParsedOutput[Any](reasoning=split.reasoning, answer=answer, code=code, data=data)
