"""Links: how one domain's quantities are tied to another's, in terms and in English.

A link ties port `port_a` of domain `a` to port `port_b` of domain `b` in one
of three scopes:

- one item of each (`item_a`, `item_b`, 1-based positions): "The start time of
  job 2 must equal the colour of vertex 0." Each item is named as the caption's
  own sentence numbers it (a port's `item` phrase and `first` number), else by
  its position: "the third of the chosen primes".
- every item, pairwise (zipped to the shorter port): "Each of the vertex
  colours must equal the corresponding one of the job start times."
- the totals: "The sum of the chosen primes is at most the sum of the item
  weights."

Single-item links are the common case: they make the parts share a quantity
without over-constraining them. Each scope has its own sentences, so the
caption states a link exactly and the round trip reads it back. A sentence with
`{i}`/`{j}` names items by position in the port's noun ("item {i} of {a}");
one without names them by their item phrases (`{a}`, `{b}` are then items).
"""

from __future__ import annotations

import functools
import random
import re
from typing import Literal

from pydantic import BaseModel

from retrolean.skills.problems.gadget import IntVar, Part, Port
from retrolean.skills.problems.terms import Term, add, eq, le, sub

Relation = Literal["equal", "offset", "at_most"]
Scope = Literal["item", "each", "sum"]


class Link(BaseModel):
    """Port `port_a` of domain `a` related to port `port_b` of domain `b`."""

    a: str
    port_a: str
    b: str
    port_b: str
    relation: Relation = "equal"
    offset: int = 0
    scope: Scope = "each"
    item_a: int = 1  # 1-based, used when scope == "item"
    item_b: int = 1


SENTENCES: dict[tuple[Scope, Relation], str] = {
    ("item", "equal"): "{a} must equal {b}.",
    ("item", "offset"): "{a} is exactly {d} more than {b}.",
    ("item", "at_most"): "{a} is at most {b}.",
    ("each", "equal"): "Each of {a} must equal the corresponding one of {b}.",
    ("each", "offset"): "Each of {a} is exactly {d} more than the corresponding one of {b}.",
    ("each", "at_most"): "Each of {a} is at most the corresponding one of {b}.",
    ("sum", "equal"): "The sum of {a} must equal the sum of {b}.",
    ("sum", "offset"): "The sum of {a} is exactly {d} more than the sum of {b}.",
    ("sum", "at_most"): "The sum of {a} is at most the sum of {b}.",
}


def _relate(relation: Relation, x: Term | str, y: Term | str, offset: int) -> Term:
    if relation == "equal":
        return eq(x, y)
    if relation == "offset":
        return eq(sub(x, y), offset)
    return le(x, y)


def link_constraints(link: Link, pa: Port, pb: Port) -> list[Term]:
    """The constraints a link adds."""
    if link.scope == "item":
        if not (1 <= link.item_a <= len(pa.terms) and 1 <= link.item_b <= len(pb.terms)):
            raise ValueError("link item out of range")
        return [_relate(link.relation, pa.terms[link.item_a - 1], pb.terms[link.item_b - 1],
                        link.offset)]
    if link.scope == "sum":
        return [_relate(link.relation, add(*pa.terms), add(*pb.terms), link.offset)]
    return [_relate(link.relation, x, y, link.offset)
            for x, y in zip(pa.terms, pb.terms, strict=False)]


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
            "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth")


def ordinal(n: int) -> str:
    """A position in words up to twenty, else with its suffix. Example: 3 -> "third", 22 ->
    "22nd"."""
    if 1 <= n <= len(ORDINALS):
        return ORDINALS[n - 1]
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def item_name(port: Port, i: int) -> str:
    """The `i`-th (1-based) unknown of a port, named as the caption numbers it.

    Example: Port("colours", "the vertex colours", …, item="the colour of vertex {k}",
             first=0) and i=3 -> "the colour of vertex 2"; without an item phrase ->
             "the third of the vertex colours"
    """
    if port.items:
        return port.items[i - 1]
    if not port.item:
        return f"the {ordinal(i)} of {port.noun}"
    k = i - 1
    if port.columns:
        row, col = divmod(k, port.columns)
        return port.item.format(r=row + port.first, c=col + port.first)
    return port.item.format(k=k + port.first)


def describe_link(link: Link, pa: Port, pb: Port) -> str:
    """The English sentence of a link: its items named as quantities, else the ports' nouns."""
    template = SENTENCES[(link.scope, link.relation)]
    a, b = pa.noun, pb.noun
    if link.scope == "item" and "{i}" not in template:
        a, b = item_name(pa, link.item_a), item_name(pb, link.item_b)
    text = template.format(a=a, b=b, d=link.offset, i=link.item_a, j=link.item_b)
    return text[:1].upper() + text[1:]


def _key(phrase: str) -> str:
    """A noun or item phrase as looked up: lower case, single spaces, no edge spaces."""
    return " ".join(phrase.lower().split())


@functools.cache
def _sentence_regexes() -> list[tuple[Scope, Relation, bool, re.Pattern[str]]]:
    """One regex per link sentence, and whether its `{a}`/`{b}` are item phrases; a noun or
    item is any run without a full stop, looked up after."""
    out = []
    for (scope, relation), template in SENTENCES.items():
        pattern = re.escape(template)
        for name, value in (("a", r"(?P<a>[^.]+?)"), ("b", r"(?P<b>[^.]+?)"),
                            ("d", r"(?P<d>-?\d+)"), ("i", r"(?P<i>\d+)"),
                            ("j", r"(?P<j>\d+)")):
            pattern = pattern.replace(re.escape("{" + name + "}"), value)
        by_item = scope == "item" and "{i}" not in template
        out.append((scope, relation, by_item, re.compile(pattern.replace(r"\ ", r"\s+"),
                                                         re.IGNORECASE)))
    return out


def link_statements(text: str, parts: dict[str, Part]) -> list[tuple[int, int, Link]]:
    """Every link sentence in text between the given parts' ports: (start, end, link), in
    order of appearance. One place may read as several links where two ports share a noun;
    a strict reader treats that as ambiguous."""
    owners: dict[str, list[tuple[str, Port, int]]] = {}  # noun -> (domain, port, 1)
    items: dict[str, list[tuple[str, Port, int]]] = {}  # item phrase -> (domain, port, i)
    for domain, part in parts.items():
        for port in part.ports:
            owners.setdefault(_key(port.noun), []).append((domain, port, 1))
            for i in range(1, len(port.terms) + 1):
                items.setdefault(_key(item_name(port, i)), []).append((domain, port, i))
    found: list[tuple[int, int, Link]] = []
    for scope, relation, by_item, regex in _sentence_regexes():
        table = items if by_item else owners
        for m in regex.finditer(text):
            g = m.groupdict()
            for a, pa, i in table.get(_key(g["a"]), []):
                for b, pb, j in table.get(_key(g["b"]), []):
                    if a == b:
                        continue
                    link = Link(a=a, port_a=pa.name, b=b, port_b=pb.name, relation=relation,
                                scope=scope, offset=int(g["d"]) if g.get("d") else 0,
                                item_a=int(g["i"]) if g.get("i") else i,
                                item_b=int(g["j"]) if g.get("j") else j)
                    try:
                        link_constraints(link, pa, pb)
                    except ValueError:
                        continue
                    found.append((m.start(), m.end(), link))
    found.sort(key=lambda t: t[0])
    return found


def parse_links(text: str, parts: dict[str, Part]) -> list[Link]:
    """Links stated in text between the given parts' ports, in order of appearance."""
    return [link for _s, _e, link in link_statements(text, parts)]


def choose_links(parts: dict[str, Part], order: list[str], rng: random.Random,
                 witnesses: dict[str, dict[str, int]] | None = None,
                 guided_rate: float = 0.0) -> list[Link]:
    """Chain the parts: each domain tied to the next (see `choose_link`)."""
    return [choose_link(parts, a, b, rng, witnesses, guided_rate)
            for a, b in zip(order, order[1:], strict=False)]


def choose_link(parts: dict[str, Part], a: str, b: str, rng: random.Random,
                witnesses: dict[str, dict[str, int]] | None = None,
                guided_rate: float = 0.0) -> Link:
    """One link from domain `a` to domain `b`.

    Mostly one item of each, chosen among items whose value ranges overlap, as a
    composer who wants the parts to fit would; sometimes every item pairwise or the
    totals, which bind harder — so some combinations are inconsistent and the checker
    has something to reject. With `witnesses` (a solution of each part alone), a link is,
    at `guided_rate`, chosen among those the solutions already satisfy: a composer who
    checked that the pieces fit. Such a combination is consistent by construction; the
    others are left to the checker. Whether the link adds a constraint is the caller's
    to check (`formalize_spec` redraws links the rest of the problem implies).
    """
    if witnesses and a in witnesses and b in witnesses and rng.random() < guided_rate:
        fitting = _fitting_links(a, parts[a], witnesses[a], b, parts[b], witnesses[b])
        if fitting:
            return rng.choice(fitting)
    bounds = {v.name: v for v in parts[a].variables + parts[b].variables}
    scope = rng.choices(["item", "each", "sum"], weights=[7, 1, 2])[0]
    relation = rng.choices(["equal", "offset", "at_most"], weights=[5, 2, 3])[0]
    pairs = [(pa, pb) for pa in parts[a].ports for pb in parts[b].ports]
    pa, pb = rng.choices(pairs, weights=[4 if _overlap(pa.lo, pa.hi, pb.lo, pb.hi) else 1
                                         for pa, pb in pairs])[0]
    item_a = item_b = 1
    lo, hi = pa.lo - pb.hi, pa.hi - pb.lo  # the range of a - b
    if scope == "item":
        items = [(i, j) for i, x in enumerate(pa.terms, 1) for j, y in enumerate(pb.terms, 1)]
        weights = [_fit(bounds[x], bounds[y]) for x, y in
                   ((pa.terms[i - 1], pb.terms[j - 1]) for i, j in items)]
        item_a, item_b = rng.choices(items, weights=weights)[0]
        x, y = bounds[pa.terms[item_a - 1]], bounds[pb.terms[item_b - 1]]
        lo, hi = x.lo - y.hi, x.hi - y.lo
    offset = 0
    if relation == "offset":
        lo, hi = max(1, lo), min(3, hi)
        offset = rng.randint(lo, hi) if lo <= hi else rng.randint(1, 3)
    return Link(a=a, port_a=pa.name, b=b, port_b=pb.name, relation=relation,  # type: ignore[arg-type]
                offset=offset, scope=scope, item_a=item_a, item_b=item_b)  # type: ignore[arg-type]


def _fitting_links(a: str, part_a: Part, wa: dict[str, int], b: str, part_b: Part,
                   wb: dict[str, int]) -> list[Link]:
    """Links between the two parts that their separate solutions already satisfy."""
    out = []
    for pa in part_a.ports:
        for pb in part_b.ports:
            for i, x in enumerate(pa.terms, 1):
                for j, y in enumerate(pb.terms, 1):
                    diff = wa[x] - wb[y]
                    base = {"a": a, "port_a": pa.name, "b": b, "port_b": pb.name,
                            "scope": "item", "item_a": i, "item_b": j}
                    if diff == 0:
                        out.append(Link(relation="equal", **base))
                    elif 1 <= diff <= 3:
                        out.append(Link(relation="offset", offset=diff, **base))
                    elif diff < 0 and not out:
                        out.append(Link(relation="at_most", **base))
            total = sum(wa[x] for x in pa.terms) - sum(wb[y] for y in pb.terms)
            if total <= 0:
                relation = "equal" if total == 0 else "at_most"
                out.append(Link(a=a, port_a=pa.name, b=b, port_b=pb.name, relation=relation,
                                scope="sum"))
    return out


def _overlap(lo1: int, hi1: int, lo2: int, hi2: int) -> bool:
    return min(hi1, hi2) >= max(lo1, lo2)


def _fit(x: IntVar, y: IntVar) -> float:
    """Preference for tying two unknowns: overlapping, not pinned to one value."""
    if not _overlap(x.lo, x.hi, y.lo, y.hi):
        return 0.2
    return 1.0 + (x.hi > x.lo) + (y.hi > y.lo)
