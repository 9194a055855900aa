"""A trace as one self-contained HTML file: collapsible blocks, highlighted code, no server.

Everything is inline: the CSS (with pygments' colour classes), a few lines
of JavaScript for filtering by block type and expanding or collapsing all
blocks, and every block as a `<details>` element, so the page works — blocks
fold and unfold — even with JavaScript off. Code is highlighted by pygments:
fenced code in bodies by its fence's language, formal-looking bodies as
SMT-LIB (read as Scheme, the closest lexer pygments has) or Lean 4, data as
JSON, multi-line strings in data by what they look like. The trade-off: no
CDN and no external fonts, so it looks plain but opens anywhere, offline.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import JsonLexer, Lean4Lexer, SchemeLexer, TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from retrolean.traces.reader import LoadedTrace
from retrolean.traces.schema import Block
from retrolean.traces.score import TraceScore
from retrolean.traces.viewer import judged_line

_FENCE = re.compile(r"```([\w+-]*)[^\n]*\n(.*?)```", re.DOTALL)
_ALIASES = {"smt": "scheme", "smtlib": "scheme", "smtlib2": "scheme", "smt2": "scheme",
            "lean": "lean4"}
_FORMATTER = HtmlFormatter(cssclass="hl", nowrap=False)

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2128}
header{background:#1d2b3a;color:#fff;padding:14px 22px}
header h1{font-size:18px;margin:0 0 4px}
header .meta{opacity:.85;font-size:13px}
.warn{background:#b3261e;color:#fff;padding:6px 22px}
.bar{position:sticky;top:0;background:#fff;border-bottom:1px solid #ccd;padding:8px 22px;
 display:flex;gap:12px;flex-wrap:wrap;align-items:center;z-index:2}
.bar label{font-size:13px}
main{padding:12px 22px}
details.block{background:#fff;border:1px solid #d5d9e0;border-left:6px solid #889;
 border-radius:6px;margin:8px 0}
details.block>summary{cursor:pointer;padding:6px 10px;display:flex;gap:10px;align-items:baseline}
details.block>summary .first{color:#555;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;
 flex:1}
details.block[open]>summary .first{visibility:hidden}
.idx{font-family:monospace;color:#667;min-width:2.5em;text-align:right}
.type{font-weight:600;min-width:7em}
.stage{font-family:monospace;color:#345}
.facts{color:#778;font-size:12px;white-space:nowrap}
.content{padding:4px 14px 10px}
.content pre.text{white-space:pre-wrap;font:inherit;margin:6px 0}
.q{font-style:italic;color:#8a6100}
.hl pre{padding:8px;border-radius:4px;background:#f8f8f8;overflow-x:auto;white-space:pre-wrap}
details.data>summary{cursor:pointer;color:#556;font-size:12px}
details.t-orientation{border-left-color:#1f8fa6}details.t-action{border-left-color:#2e8b3d}
details.t-expectation{border-left-color:#8e44ad}details.t-observation{border-left-color:#2d6cdf}
details.t-evaluation{border-left-color:#c99700}details.t-outcome{border-left-color:#0b6b2a}
details.t-error{border-left-color:#c0392b;background:#fff5f4}details.t-debug{border-left-color:#999}
details.t-backtrack{border-left-color:#e67e22}details.t-task-reminder{border-left-color:#16a085}
details.t-user{border-left-color:#34495e}
"""

_JS = """
function setAll(open){document.querySelectorAll('details.block').forEach(d=>{d.open=open;});}
function applyFilter(){
  const on=new Set([...document.querySelectorAll('input.tf:checked')].map(i=>i.value));
  document.querySelectorAll('details.block').forEach(d=>{
    d.style.display=on.has(d.dataset.type)?'':'none';});
}
document.querySelectorAll('input.tf').forEach(i=>i.addEventListener('change',applyFilter));
"""


def lexer_for(text: str, hint: str = "") -> Lexer:
    """The pygments lexer for a piece of code: by name when given, else by its look.

    Example: lexer_for("(assert (> x 1))") -> SchemeLexer
    """
    if hint:
        try:
            return get_lexer_by_name(_ALIASES.get(hint.lower(), hint.lower()))
        except ClassNotFound:
            return TextLexer()
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return JsonLexer()
    if stripped.startswith((";", "(")) and ("(assert" in text or "(declare-" in text):
        return SchemeLexer()
    if re.search(r"^\s*(theorem|def|example|import|namespace|lemma)\b", text, re.MULTILINE):
        return Lean4Lexer()
    return TextLexer()


def code_html(text: str, hint: str = "") -> str:
    """Highlighted HTML of a piece of code."""
    return highlight(text, lexer_for(text, hint), _FORMATTER)


def _looks_like_code(text: str) -> bool:
    return not isinstance(lexer_for(text), TextLexer) and "\n" in text.strip()


def body_html(body: str) -> str:
    """A block body: prose as wrapped text, fenced or formal-looking code highlighted."""
    if _looks_like_code(body):
        return code_html(body)
    out, pos = [], 0
    for m in _FENCE.finditer(body):
        if body[pos:m.start()].strip():
            out.append(f'<pre class="text">{html.escape(body[pos:m.start()].strip())}</pre>')
        out.append(code_html(m.group(2), m.group(1)))
        pos = m.end()
    if body[pos:].strip() or not out:
        out.append(f'<pre class="text">{html.escape(body[pos:].strip())}</pre>')
    return "".join(out)


def _pull_code(value: Any, path: str, code: dict[str, str]) -> Any:
    """The value with each multi-line string (at any depth) replaced by a pointer to it."""
    if isinstance(value, str) and "\n" in value.strip():
        code[path] = value
        return "<shown below>"
    if isinstance(value, dict):
        return {k: _pull_code(v, f"{path}.{k}" if path else str(k), code)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_pull_code(v, f"{path}[{i}]", code) for i, v in enumerate(value)]
    return value


def _data_html(data: dict[str, Any]) -> str:
    code: dict[str, str] = {}
    rest = _pull_code(data, "", code)
    parts = [code_html(json.dumps(rest, indent=2, ensure_ascii=False), "json")]
    for key, text in code.items():
        parts.append(f"<div class=\"facts\">{html.escape(key)}</div>{code_html(text)}")
    return ('<details class="data"><summary>data</summary>' + "".join(parts) + "</details>")


def _facts(b: Block, start: datetime | None) -> str:
    facts = []
    try:
        t = datetime.fromisoformat(b.timestamp)
        facts.append(t.strftime("%H:%M:%S") + (f" +{(t - start).total_seconds():.1f}s"
                                                if start else ""))
    except ValueError:
        facts.append(b.timestamp)
    if b.tokens_in is not None or b.tokens_out is not None:
        facts.append(f"tokens {b.tokens_in or 0}→{b.tokens_out or 0}")
    if b.elapsed_ms is not None:
        facts.append(f"{b.elapsed_ms:.0f} ms")
    return " · ".join(facts)


def block_html(b: Block, start: datetime | None = None) -> str:
    """One block as a collapsible `<details>` element."""
    first = (b.body.strip().splitlines() or [""])[0]
    q = judged_line(b)
    return (
        f'<details class="block t-{b.type}" data-type="{b.type}" '
        f'data-stage="{html.escape(b.stage or "")}" open>'
        f'<summary><span class="idx">#{b.index}</span><span class="type">{b.type}</span>'
        f'<span class="stage">{html.escape(b.stage or "")}</span>'
        f'<span class="first">{html.escape(first[:160])}</span>'
        f'<span class="facts">{html.escape(_facts(b, start))}</span></summary>'
        f'<div class="content">{body_html(b.body)}'
        + (f'<div class="q">{html.escape(q)}</div>' if q else "")
        + (_data_html(data) if (data := b.data_view()) else "")
        + "</div></details>"
    )


def trace_html(trace: LoadedTrace, score: TraceScore | None = None) -> str:
    """The whole trace as a standalone HTML document."""
    try:
        start = datetime.fromisoformat(trace.blocks[0].timestamp) if trace.blocks else None
    except ValueError:
        start = None
    types = list(dict.fromkeys(b.type for b in trace.blocks))
    created = trace.header.created if trace.header else "unknown time"
    meta = f"{len(trace.blocks)} blocks · created {created}"
    if score is not None:
        meta += f" · score {html.escape(score.explain())}"
    warnings = "".join(f'<div class="warn">{html.escape(w)}</div>' for w in trace.warnings())
    toggles = "".join(f'<label><input type="checkbox" class="tf" value="{t}" checked> {t}'
                      "</label>" for t in types)
    blocks = "\n".join(block_html(b, start) for b in trace.blocks)
    title = html.escape(f"trace {trace.run_id}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{title}</title><style>{_CSS}{_FORMATTER.get_style_defs('.hl')}</style>"
        "</head><body>"
        f"<header><h1>{title}</h1><div class=\"meta\">goal: {html.escape(trace.goal)}</div>"
        f"<div class=\"meta\">{meta}</div></header>{warnings}"
        "<div class=\"bar\"><button onclick=\"setAll(true)\">expand all</button>"
        f"<button onclick=\"setAll(false)\">collapse all</button>{toggles}</div>"
        f"<main id=\"blocks\">\n{blocks}\n</main><script>{_JS}</script></body></html>\n"
    )
