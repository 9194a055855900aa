"""Parsing R1-style model output: reasoning, then an answer holding code or JSON.

An R1 answer is `<think>…</think>` followed by the answer; servers differ in
how they deliver it (the whole think block inline, only the closing tag
because the chat template opened it, or the reasoning in a separate
`reasoning_content` field), and output cut off by `max_tokens` leaves the
think block or a code fence open. `split_reasoning` normalizes all of these;
`extract_code` and `extract_json` find the requested payload in the answer;
`parse_output` does the whole job and raises `ParseError` whose `feedback`
can be shown to the model when it is asked again.

What real servers send, and what is made of it:
- vLLM's `deepseek_r1` reasoning parser puts an output with no `</think>` in
  `reasoning_content` (or `reasoning`) whole and leaves `content` null;
  DeepSeek's API at times answers with `reasoning_content` and an empty
  `content` too. With a finished output (finish reason not "length") the
  payload is then looked for at the end of the reasoning (the last complete
  block, the last JSON that validates) and the result says so (`recovered`);
  when there is none, the error is `empty` and worth asking again;
- fences labelled as markdown highlighters label SMT-LIB: `smt2`, `smtlib`,
  `smt`, … always; `lisp`, `scheme`, `sexp`, `z3`, `cvc5` only when the code
  reads as s-expressions (a ```z3 block may hold z3py Python);
- a raw newline inside a JSON string (`json.loads(strict=False)` reads it);
- a trailing ```smt2 block holding only `(get-value …)`: the block taken is the
  last *complete* one of the language (for SMT-LIB one that declares or
  asserts something; for Lean one that declares something).

Trade-off: extraction is lenient about where the payload sits (prose around
it, an unlabeled fence, JSON without a fence, the end of the reasoning) but
strict about its shape (a fence must close, JSON must parse and validate): a
lenient parser raises the yield, and the strict half keeps truncated or
malformed text out of the data. Refusals are recognised by their opening
phrase only, and only when no payload was found, so "I'm sorry, here is the
corrected version: ```lean …```" parses. Feedback names the fence label the
prompts show (```smt2, ```lean), so the model is never told two names.
"""

from __future__ import annotations

import json
import re
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from retrolean.memory.languages import FormalLanguage

T = TypeVar("T", bound=BaseModel)

ParseErrorKind = Literal["empty", "refusal", "truncated", "no_code", "no_json",
                         "invalid_json", "schema"]

_THINK_OPEN = "<think>"
_THINK_CLOSE = "</think>"
_THINK_BLOCK = re.compile(r"<think>(.*?)</think>", re.DOTALL)

# Fence labels accepted for each formal language; the key is the canonical name.
_LANGUAGE_LABELS: dict[str, frozenset[str]] = {
    "lean4": frozenset({"lean", "lean4"}),
    "smtlib2": frozenset({"smt2", "smtlib", "smtlib2", "smt-lib", "smt-lib2", "smtlibv2",
                          "smt"}),
    "json": frozenset({"json", "jsonc"}),
}
# Labels that name another language of the same shape: taken only for code of that shape
# (an s-expression script), since a ```z3 block may as well hold z3py Python.
_LOOSE_LABELS: dict[str, frozenset[str]] = {
    "smtlib2": frozenset({"lisp", "scheme", "sexp", "s-expression", "z3", "cvc5"}),
}
_S_EXPRESSION = re.compile(r"\A\s*(?:;[^\n]*\n\s*)*\(")
# A complete text of the language, not a fragment such as a trailing (get-value …) block.
_COMPLETE: dict[str, re.Pattern[str]] = {
    "smtlib2": re.compile(r"\(\s*(?:assert|declare-|define-)"),
    "lean4": re.compile(r"^\s*(?:@\[[^\]]*\]\s*)?(?:private\s+|protected\s+|noncomputable\s+)*"
                        r"(?:theorem|lemma|def|example|abbrev|structure|inductive|instance|"
                        r"class|axiom)\b", re.MULTILINE),
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

    `kind` says which failure it is, so a caller can decide how to ask the
    model again (every kind can be worth one more try: an empty answer or a
    one-off refusal too) and what to call a reject.
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
    """Everything `parse_output` found: reasoning, answer, and the requested payload.

    `recovered` is True when the answer was empty and the payload was taken from the
    end of the reasoning (see the module docstring).
    """

    reasoning: str
    answer: str
    code: CodeBlock | None = None
    data: T | None = None
    recovered: bool = False


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


def fence_label(language: str) -> str:
    """The fence label the prompts show for a language (canonical names pass through).

    Example: fence_label("smtlib2") -> "smt2"; fence_label("lean4") -> "lean"
    """
    want = canonical_language(language)
    try:
        return FormalLanguage(want).fence
    except ValueError:
        return want


def _reads_as(label: str, code: str, want: str) -> bool:
    """Whether a block labelled `label` holds code of the canonical language `want`."""
    if canonical_language(label) == want:
        return True
    loose = _LOOSE_LABELS.get(want, frozenset())
    return label.strip().lower() in loose and bool(_S_EXPRESSION.match(code))


def _complete(code: str, want: str) -> bool:
    """Whether code is a whole text of `want` rather than a fragment (true where unknown)."""
    pattern = _COMPLETE.get(want)
    return pattern is None or bool(pattern.search(code))


def _last_complete(blocks: list[tuple[str, str, int]], want: str
                   ) -> tuple[str, str, int] | None:
    """The last complete block, else the last block; None for none."""
    complete = [b for b in blocks if _complete(b[1], want)]
    return complete[-1] if complete else (blocks[-1] if blocks else None)


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
            blocks.append((opened[1], text[opened[2]:match.start()].rstrip("\r\n"),
                           opened[3]))
            opened = None
    unclosed = (opened[1], opened[3]) if opened is not None else None
    return blocks, unclosed


def extract_code(answer: str, language: str) -> CodeBlock:
    """The last complete fenced block of `language` (any of its labels); else the last unlabeled.

    A block counts when its label names the language (or a look-alike label and
    code of its shape, see `_LOOSE_LABELS`); among those the last *complete* one
    wins, so a trailing fragment such as ```smt2 (get-value (x)) ``` is not taken
    for the script. Raises ParseError (truncated) when the only candidate fence
    never closes, and ParseError (no_code) when there is no candidate at all.

    Example: extract_code("Here:\\n```smt2\\n(check-sat)\\n```", "smtlib2").code -> "(check-sat)"
    Example: extract_code("```lisp\\n(assert true)\\n```\\n```smt2\\n(get-value (x))\\n```",
                          "smtlib2").code -> "(assert true)"
    """
    want = canonical_language(language)
    name = _LANGUAGE_NAMES.get(want, language)
    fence = fence_label(want)
    blocks, unclosed = _fences(answer)
    labelled = [b for b in blocks if b[0] and _reads_as(b[0], b[1], want)]
    unlabeled = [b for b in blocks if not b[0]]
    chosen = _last_complete(labelled, want) or _last_complete(unlabeled, want)
    unclosed_matches = unclosed is not None and (
        not unclosed[0] or canonical_language(unclosed[0]) == want)
    if chosen is None:
        if unclosed_matches and unclosed is not None:
            raise ParseError("truncated", (
                f"Your answer was cut off: the ```{unclosed[0] or fence} block opened on line "
                f"{unclosed[1]} never closes. Give the complete {name} text in one fenced "
                f"block and close it with ```."))
        raise ParseError("no_code", (
            f"Your answer has no ```{fence} code block. Put the complete {name} text in one "
            f"block that starts with ```{fence} and ends with ```."))
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
    candidates = [code for label, code, _ in blocks if label and
                  canonical_language(label) == "json"]
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
            return json.loads(text, strict=False)
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


def extract_json(answer: str, schema: type[T], *, last: bool = False) -> T:
    """The first JSON value in the answer that validates against `schema` (`last`: the last).

    Candidates are tried in order (```json fences, unlabeled fences, then each
    balanced {…} or […] in the prose); the first that parses and validates wins.
    A raw newline or tab inside a string is read as itself (`strict=False`).
    `last=True` (for reasoning, where drafts come before the final answer) takes
    the last JSON in the text that validates instead.

    Example: extract_json('I think {"ok": true}.', Flag) -> Flag(ok=True)
    """
    candidates, _cut_off = _json_candidates(answer)
    if last:
        candidates.sort(key=answer.rfind, reverse=True)
    schema_error: str | None = None
    for text in candidates:
        try:
            value = json.loads(text, strict=False)
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

    With neither, the answer text itself is the payload. An empty answer after a
    finished output has its payload looked for at the end of the reasoning
    (`recovered`, see the module docstring). Raises ParseError: empty (no answer
    and nothing usable in the reasoning), refusal, truncated (cut off in the
    reasoning or the payload, or finish_reason "length" with nothing usable), or
    the extraction's own error.

    Example: parse_output("<think>ok</think>```lean\\ntheorem t : True := trivial\\n```",
                          language="lean4").code.code -> "theorem t : True := trivial"
    Example: parse_output("", reasoning_content="Draft… final:\\n```smt2\\n(assert true)\\n```",
                          language="smtlib2").recovered -> True
    """
    split = split_reasoning(text, reasoning_content)
    answer = split.answer
    if not answer:
        if split.truncated or finish_reason == "length":
            raise ParseError("truncated", (
                "Your answer was cut off while you were still thinking. Think more briefly "
                "and give the final answer."))
        return _from_reasoning(split.reasoning, language, schema)
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


def _from_reasoning(reasoning: str, language: str | None,
                    schema: type[T] | None) -> ParsedOutput[T]:
    """The payload at the end of a finished output's reasoning, when the answer came empty.

    Raises ParseError("empty") when there is no reasoning, no payload was asked
    for (a bare answer cannot be told apart from thinking), or none is found.
    """
    empty = ("Your final answer was empty" + (": your reasoning ended without one"
                                               if reasoning.strip() else "")
             + ". After your reasoning, give the final answer as the task asks.")
    if not reasoning.strip() or (language is None and schema is None):
        raise ParseError("empty", empty)
    try:
        code = extract_code(reasoning, language) if language else None
        data = extract_json(reasoning, schema, last=True) if schema is not None else None
    except ParseError as exc:
        raise ParseError("empty", empty) from exc
    if code is not None:
        code = code.model_copy(update={"notes": [
            *code.notes, "taken from the reasoning: the answer itself was empty"]})
    return ParsedOutput[Any](reasoning=reasoning, answer="", code=code, data=data,
                             recovered=True)
