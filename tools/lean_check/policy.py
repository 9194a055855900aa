"""Turn one Lean run into a Verdict under a `ConsistencyPolicy`.

Rejected when Lean timed out, ran out of memory, crashed or reported an
error; then `sorry` is judged: each "declaration uses 'sorry'" warning (and
each REPL sorry) is attributed to the declaration it sits in, found from the
text, so a policy can let statements be `sorry` but not the witness.
Trade-off: attribution reads declaration headers with a regex on the code
view, not Lean's syntax tree; names are compared by their last component, so
`Foo.problem_consistent` counts as `problem_consistent`.

Example: judge_run(text, LeanRun(messages=[sorry warning at the witness]), WITNESS_POLICY, …)
         -> Verdict(ok=False, status="error", reason="`problem_consistent` uses sorry", …)
"""

from __future__ import annotations

import re

from retrolean.tools.lean_check.config import ConsistencyPolicy
from retrolean.tools.lean_check.lexer import Reading, code_view
from retrolean.tools.lean_check.messages import LeanRun, is_sorry_warning
from retrolean.tools.verdict import CheckMessage, Verdict

_DECL = re.compile(
    r"(?<![\w'!?.])(theorem|lemma|def|abbrev|instance|example|structure|inductive|class|opaque)"
    r"\b[ \t]*([^\W\d][\w'!?]*(?:\.[^\W\d][\w'!?]*)*)?")
_ANONYMOUS = {"example", "instance"}


def declarations(text: str) -> list[tuple[int, str]]:
    """(line, name) of each declaration header in the code; `example` for unnamed ones."""
    view = code_view(text, Reading())
    out = []
    for m in _DECL.finditer(view):
        kind, name = m[1], m[2]
        if kind in _ANONYMOUS and (name is None or name in (":", "where")):
            name = kind
        out.append((view.count("\n", 0, m.start()) + 1, name or kind))
    return out


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def declaration_at(decls: list[tuple[int, str]], line: int | None) -> str:
    """The declaration whose header is the last one starting at or before `line`."""
    if line is None:
        return "?"
    name = "?"
    for start, decl in decls:
        if start > line:
            break
        name = decl
    return name


def sorry_declarations(text: str, run: LeanRun) -> list[str]:
    """Names of the declarations that use `sorry`, in order, each once."""
    decls = declarations(text)
    found = [declaration_at(decls, m.line) for m in run.messages if is_sorry_warning(m)]
    found += [declaration_at(decls, s.line) for s in run.sorries]
    return list(dict.fromkeys(found))


def missing_declarations(text: str, policy: ConsistencyPolicy) -> list[str]:
    """Declarations the policy requires that the text does not declare."""
    declared = {_short(name) for _, name in declarations(text)}
    return [name for name in policy.require if _short(name) not in declared]


def _first_line(message: CheckMessage) -> str:
    where = f"line {message.line}: " if message.line else ""
    head = message.text.strip().splitlines()[0] if message.text.strip() else "error"
    return where + head


def judge_run(text: str, run: LeanRun, policy: ConsistencyPolicy, *, checker: str,
          timeout_s: float, memory_mb: int) -> Verdict:
    """The verdict on one run: ok only when Lean finished cleanly and the policy holds."""
    messages = run.messages + run.sorries

    def verdict(ok: bool, status: str, reason: str = "", sorry: bool = False) -> Verdict:
        return Verdict(ok=ok, status=status, reason=reason, checker=checker,  # type: ignore[arg-type]
                       messages=messages, sorry=sorry, elapsed_ms=run.elapsed_ms)

    if run.timed_out:
        return verdict(False, "timeout", f"Lean did not finish within {timeout_s:g} s")
    if run.out_of_memory:
        return verdict(False, "error", f"Lean ran out of memory (limit {memory_mb} MB)")
    errors = [m for m in run.messages if m.severity == "error"]
    if errors:
        return verdict(False, "error", _first_line(errors[0]))
    if run.crashed or (run.returncode not in (0, None)):
        why = run.detail.strip().splitlines()[-1] if run.detail.strip() else ""
        code = f" (exit code {run.returncode})" if run.returncode not in (0, None) else ""
        return verdict(False, "error", f"Lean failed{code}" + (f": {why}" if why else ""))
    users = sorry_declarations(text, run)
    if users:
        if not policy.allow_sorry:
            return verdict(False, "error", f"`{users[0]}` uses sorry", sorry=True)
        strict = {_short(n) for n in policy.sorry_free}
        bad = [u for u in users if _short(u) in strict]
        if bad:
            return verdict(False, "error", f"`{bad[0]}` must be proved but uses sorry", sorry=True)
    missing = missing_declarations(text, policy)
    if missing:
        return verdict(False, "error", f"the text does not declare `{missing[0]}`",
                       sorry=bool(users))
    return verdict(True, "ok", sorry=bool(users))
