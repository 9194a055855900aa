"""Refuse untrusted Lean text before anything runs, with a one-line reason.

Lean runs code while it elaborates (`#eval`, `run_cmd`, user elaborators,
`initialize`, `native_decide`, …), so text a model wrote is screened first.
The screen is a deny-list of commands, keywords, names and attributes plus
allow-lists of imports, `#`-commands and options, applied to every code view
of the text (see `lexer.py`): comments and strings neither hide nor fake a
token. Invisible and bidirectional control characters are refused outright
(they make text read differently than it lexes), and every view is also read
after NFKC normalisation, so full-width look-alikes of a token count too.
Trade-off: it is deliberately strict — text that names `IO`, `Meta` or
`unsafe` anywhere in code is refused even where it would be harmless; the
problems this project checks never need them.

Example: screen("#eval IO.println 1").reason -> "line 1: `#eval` runs code while elaborating"
"""

from __future__ import annotations

import bisect
import re
import unicodedata

from retrolean.tools.lean_check.config import ScreenLimits
from retrolean.tools.lean_check.lexer import code_views
from retrolean.tools.screening import ScreenResult, invisible_characters, screen_result, show

__all__ = ["SCREEN_VERSION", "ScreenResult", "screen"]

SCREEN_VERSION = "1"

_ID = r"[^\W\d][\w'!?]*(?:\.[^\W\d][\w'!?]*)*"
_IDENT = re.compile(rf"(?<![\w'!?.#]){_ID}")
_HASH = re.compile(r"(?<![\w'!?#])#([^\W\d][\w!?]*)")
_IMPORT = re.compile(rf"(?<![\w'!?.])import\s+(?:all\s+)?({_ID})?")
_OPTION = re.compile(r"(?<![\w'!?.])set_option(?:\s+([\w.]+)\s+(\S+))?")
_ATTRIBUTES = re.compile(r"@\[|(?<![\w'!?.])attribute\s*\[")
_PRINT_AXIOMS = re.compile(r"\s+axioms\b")

_RUNS = "runs code while elaborating"
_SYNTAX = "defines syntax or elaborators, which run code"
KEYWORDS: dict[str, str] = {
    **dict.fromkeys(("run_cmd", "run_elab", "run_meta", "run_tac", "by_elab"), _RUNS),
    **dict.fromkeys(("initialize", "builtin_initialize"), "registers code to run at import"),
    **dict.fromkeys(("syntax", "macro", "macro_rules", "elab", "elab_rules", "declare_syntax_cat",
                     "simproc", "dsimproc", "simproc_decl", "dsimproc_decl"), _SYNTAX),
    "native_decide": "trusts the compiler instead of the kernel",
    "implemented_by": "swaps a definition for other code",
    "extern": "binds a definition to foreign code",
    "include_str": "reads a file while elaborating",
    "axiom": "would let the text assume anything",
    "prelude": "drops the core library",
    "meta": "declares metaprograms, which run code",
    **dict.fromkeys(("polyrith", "leansearch", "moogle", "loogle"),
                    "calls an external service over the network"),
}
_IO = "is input/output, which untrusted text may not name"
_META = "is metaprogramming, which untrusted text may not name"
NAMES: dict[str, str] = {
    **dict.fromkeys(("IO", "EIO", "BaseIO", "System", "FilePath", "FS", "Process"), _IO),
    **dict.fromkeys(("Elab", "Meta", "MetaM", "CoreM", "TermElabM", "CommandElabM", "TacticM",
                     "MacroM", "Environment", "Compiler", "IR", "evalExpr", "evalConst",
                     "evalDecl", "addDecl", "addAndCompile", "compileDecl"), _META),
    **dict.fromkeys(("ofReduceBool", "reduceBool", "trustCompiler", "native"),
                    "trusts the compiler instead of the kernel"),
}
BAD_ATTRIBUTES = {"init", "builtin_init", "extern", "implemented_by", "export", "csimp",
                  "command_elab", "term_elab", "tactic", "macro", "delab", "app_unexpander",
                  "app_delab", "code_action", "hole_code_action", "command_code_action",
                  "tactic_code_action", "widget_module", "server_rpc_method", "env_linter",
                  "simproc", "sevalproc", "norm_num", "positivity",
                  "run_builtin_parser_attribute_hooks"}
_BAD_ATTRIBUTE_SUFFIXES = ("_elab", "_parser", "_formatter", "_parenthesizer", "_init")
HASH_COMMANDS = {"check", "check_failure", "reduce", "synth"}
HASH_REASONS = {"eval": _RUNS, "eval!": _RUNS, "exit": "stops elaboration, hiding the rest",
                "print": "is only allowed as `#print axioms`"}
OPTIONS = {"maxHeartbeats", "synthInstance.maxHeartbeats", "maxRecDepth", "synthInstance.maxSize",
           "autoImplicit", "relaxedAutoImplicit", "exponentiation.threshold", "warningAsError",
           "push_neg.use_distrib", "diagnostics", "simprocs"}
OPTION_PREFIXES = ("pp.", "linter.")


def screen(text: str, limits: ScreenLimits | None = None) -> ScreenResult:
    """Refuse Lean text that could run code, read files or lift limits; else ok."""
    limits = limits or ScreenLimits()
    if len(text) > limits.max_chars:
        return screen_result([(0, f"text longer than {limits.max_chars} characters")])
    found = invisible_characters(text)
    views = code_views(text)
    views += [v2 for v in views if (v2 := unicodedata.normalize("NFKC", v)) != v]
    for view in views:
        found += _view_problems(view, limits)
    return screen_result(found)


def _view_problems(view: str, limits: ScreenLimits) -> list[tuple[int, str]]:
    breaks = [i for i, c in enumerate(view) if c == "\n"]

    def line(pos: int) -> int:
        return bisect.bisect_left(breaks, pos) + 1

    found: list[tuple[int, str]] = []
    for m in _HASH.finditer(view):
        name = m[1]
        if name in HASH_COMMANDS or (name == "print" and _PRINT_AXIOMS.match(view, m.end())):
            continue
        why = HASH_REASONS.get(name, "is not an allowed command (allowed: "
                                     + ", ".join(f"#{c}" for c in sorted(HASH_COMMANDS))
                                     + ", #print axioms)")
        found.append((line(m.start()), f"`#{show(name)}` {why}"))
    for m in _IDENT.finditer(view):
        why = _identifier_problem(m[0])
        if why:
            found.append((line(m.start()), why))
    for m in _IMPORT.finditer(view):
        why = _import_problem(m[1], limits)
        if why:
            found.append((line(m.start()), why))
    for m in _OPTION.finditer(view):
        why = _option_problem(m[1], m[2], limits)
        if why:
            found.append((line(m.start()), why))
    for m in _ATTRIBUTES.finditer(view):
        for name in _attribute_names(view, m.end()):
            if name in BAD_ATTRIBUTES or name.startswith("builtin_") or name.endswith(
                    _BAD_ATTRIBUTE_SUFFIXES):
                found.append((line(m.start()), f"attribute `[{show(name)}]` attaches code "
                                               "that runs or replaces a definition"))
    return found


def _identifier_problem(token: str) -> str | None:
    for part in token.split("."):
        if part in KEYWORDS:
            return f"`{show(part)}` {KEYWORDS[part]}"
        if part in NAMES:
            return f"`{show(token)}` {NAMES[part]}"
        if "unsafe" in part.lower():
            return f"`{show(token)}` escapes the kernel's checks"
        if part.startswith(("register_", "declare_", "builtin_")):
            return f"`{show(token)}` extends the elaborator, which runs code"
    return None


def _import_problem(module: str | None, limits: ScreenLimits) -> str | None:
    if module is None:
        return "`import` without a module name"
    allowed = limits.allowed_imports
    if any(module == a or module.startswith(a + ".") for a in allowed):
        return None
    return f"import `{show(module)}` is outside the allow-list ({', '.join(allowed)})"


def _option_problem(name: str | None, value: str | None, limits: ScreenLimits) -> str | None:
    if name is None or value is None:
        return "`set_option` without a plain option name and value"
    if name not in OPTIONS and not name.startswith(OPTION_PREFIXES):
        return f"option `{show(name)}` is not in the allow-list"
    bounds = {"maxHeartbeats": limits.max_heartbeats,
              "synthInstance.maxHeartbeats": limits.max_heartbeats,
              "maxRecDepth": limits.max_rec_depth}
    if name not in bounds:
        return None
    try:
        number = int(value.replace("_", ""), 0)
    except ValueError:
        return f"`set_option {name}` needs a plain number, not `{show(value)}`"
    if number == 0 and name != "maxRecDepth":
        return f"`set_option {name} 0` removes the limit"
    if number > bounds[name]:
        return f"`set_option {name} {number}` exceeds the limit {bounds[name]}"
    return None


def _attribute_names(view: str, start: int) -> list[str]:
    """First word of each comma-separated entry in the attribute list opening at `start`."""
    depth, j = 1, start
    while j < len(view) and depth:
        depth += {"[": 1, "]": -1}.get(view[j], 0)
        j += 1
    names = []
    for entry in view[start:j - 1].split(","):
        words = re.findall(_ID, entry)
        while words and words[0] in ("local", "scoped"):
            words.pop(0)
        if words:
            names.append(words[0])
    return names
