"""Records of a set as rich renderables: a one-line-per-record table, and one record in full.

A record is shown with its parts side by side — the formal text highlighted
next to its English caption and round trip, the personas next to each other,
the missing-domain version next to its fill-in — each with its checks. Built
here from plain dicts (as `load_set` reads them, so older sets still show),
printed by the CLI. The trade-off: every part is shown whole; a long formal
text makes a tall screen rather than a hidden one.
"""

from __future__ import annotations

from typing import Any

from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from retrolean.memory.errors import UserError

LEXERS = {"smtlib2": "scheme", "lean4": "lean4"}


def find_record(records: list[dict[str, Any]], ref: str) -> dict[str, Any]:
    """The record whose id is `ref` or starts with it; UserError if none or several."""
    exact = [r for r in records if r.get("id") == ref]
    matches = exact or [r for r in records if str(r.get("id", "")).startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UserError(f"no record {ref!r} in this set ({len(records)} records); "
                        "`retrolean sets show RUN SET` lists them")
    raise UserError(f"record id {ref!r} is ambiguous ({len(matches)} match); give more of it")


def _mark(ok: bool | None) -> Text:
    if ok is None:
        return Text("—", style="dim")
    return Text("✓", style="bold green") if ok else Text("✗", style="bold red")


def set_table(name: str, records: list[dict[str, Any]]) -> Table:
    """One row per record: id, domains, formal verdict, round trip, dropped domain, outcome."""
    table = Table(title=f"set {name} ({len(records)} records)")
    for col in ("id", "domains", "formal", "round trip", "dropped", "conv.", "reject"):
        table.add_column(col, overflow="fold")
    for r in records:
        check = (r.get("formal") or {}).get("check") or {}
        rt = ((r.get("english") or {}).get("roundtrip") or {}).get("similarity")
        reject = r.get("reject") or {}
        table.add_row(r.get("id", "?"), ", ".join(r.get("domains", [])),
                      check.get("status", "—"), f"{rt:.3f}" if rt is not None else "—",
                      (r.get("missing") or {}).get("dropped", "—"),
                      str(len(r.get("conversations") or [])),
                      Text(reject.get("reason", ""), style="red"))
    return table


def _formal_panel(r: dict[str, Any]) -> Panel:
    formal = r.get("formal") or {}
    check = formal.get("check") or {}
    title = Text(f"formal ({formal.get('language', '?')}) ")
    title.append_text(_mark(check.get("ok")))
    title.append(f" {check.get('status', '')} by {check.get('checker', '?')}")
    body: list[RenderableType] = [
        Syntax(formal.get("text", ""), LEXERS.get(formal.get("language", ""), "text"),
               word_wrap=True, background_color="default")]
    if check.get("reason"):
        body.append(Text(f"reason: {check['reason']}", style="red"))
    if check.get("witness"):
        body.append(Text("witness: " + ", ".join(f"{k}={v}" for k, v in
                                                  check["witness"].items()), style="dim"))
    return Panel(Group(*body), title=title, title_align="left")


def _english_panel(r: dict[str, Any]) -> Panel:
    english = r.get("english") or {}
    parts: list[RenderableType] = [Text(english.get("text", "(no caption yet)"))]
    if english.get("concise"):
        parts.append(Text(f"stated without figures: {', '.join(english['concise'])}",
                          style="yellow"))
    rt = english.get("roundtrip")
    if rt:
        line = Text("round trip: ")
        line.append_text(_mark((rt.get("check") or {}).get("ok")))
        sim = rt.get("similarity")
        line.append(f" similarity {sim:.3f}" if sim is not None else " similarity —")
        parts.append(line)
    presence = Text()
    for domain, p in (r.get("presence") or {}).items():
        presence.append(f"{domain} ")
        presence.append_text(_mark(p.get("touchstones")))
        if p.get("judge") is not None:
            presence.append(f" judge {p['judge']:.2f}")
        presence.append("  ")
    if presence:
        parts.append(Text("presence: ", style="bold") + presence)
    return Panel(Group(*parts), title="English", title_align="left")


def _personas(r: dict[str, Any]) -> RenderableType | None:
    panels = []
    for key, p in (r.get("personas") or {}).items():
        body = Text(p.get("text", ""))
        if p.get("errors"):
            body.append(f"\nslips: {'; '.join(p['errors'])}", style="dim")
        panels.append(Panel(body, title=key, title_align="left", width=58))
    return Columns(panels) if panels else None


def _missing(r: dict[str, Any]) -> RenderableType | None:
    m, fill = r.get("missing"), r.get("fill_in")
    if not m:
        return None
    head = Text(f"dropped {m.get('dropped')} ({m.get('persona')} voice, frame "
                f"{'shifted' if m.get('frame_shifted') else 'kept'}); touchstones absent ")
    head.append_text(_mark(m.get("touchstones_absent")))
    sim = (m.get("roundtrip") or {}).get("similarity")
    head.append(f"; similarity {sim:.3f}" if sim is not None else "")
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(Panel(Group(head, Text(m.get("text", ""))), title="missing domain",
                       title_align="left"),
                 Panel(Text(fill.get("text", "")) if fill else Text("(no fill-in yet)"),
                       title=f"fill-in: {fill.get('domain')}" if fill else "fill-in",
                       title_align="left"))
    return grid


def _conversations(r: dict[str, Any]) -> list[RenderableType]:
    out: list[RenderableType] = []
    for c in r.get("conversations") or []:
        text = Text()
        for m in c.get("messages", []):
            text.append(f"{m['role']}: ", style="bold cyan" if m["role"] == "user"
                        else "bold green")
            text.append(m["content"] + "\n")
        out.append(Panel(text, title=f"conversation: {c.get('template')} "
                                     f"({c.get('persona')})", title_align="left"))
    return out


def record_view(r: dict[str, Any]) -> RenderableType:
    """Everything a record holds, parts side by side with their checks."""
    prov = r.get("provenance") or {}
    head = Text(f"record {r.get('id')}", style="bold")
    head.append(f"\ndomains: {', '.join(r.get('domains', []))}"
                + (f"; theme: {r['theme']}" if r.get("theme") else ""))
    head.append(f"\ngenerator {prov.get('generator')}, model {prov.get('model') or '—'}, "
                f"recipe {prov.get('recipe')}, seed {prov.get('seed')}", style="dim")
    if r.get("reject"):
        head.append(f"\nrejected at {r['reject'].get('stage')}: {r['reject'].get('reason')}",
                    style="bold red")
    top = Table.grid(expand=True, padding=(0, 1))
    top.add_column(ratio=1)
    top.add_column(ratio=1)
    top.add_row(_formal_panel(r), _english_panel(r))
    parts = [head, top, _personas(r), _missing(r), *_conversations(r)]
    return Group(*[p for p in parts if p is not None])
