"""Many reject reasons of one kind, said in one line with their figures.

Reasons of one kind usually share their wording and differ in their figures
("… too close to the full problem (0.962 >= 0.95)", "… (0.990 >= 0.95)"): the
summary keeps the wording and gives each figure's range over the reasons. The
trade-off: reasons of one kind worded differently (the model's own words, a
domain named in the reason) are shown by their most common wording, with a
count of the others, rather than all of them.

Example: summarize_reasons(["too close (0.962 >= 0.95)", "too close (0.990 >= 0.95)"])
  -> "too close (0.962–0.990 >= 0.95)"
"""

from __future__ import annotations

import re
from collections import Counter

_FIGURE = re.compile(r"-?\d+(?:\.\d+)?")


def _range(values: list[str]) -> str:
    """'0.962–0.990' for differing figures, the figure itself when they agree."""
    if len(set(values)) == 1:
        return values[0]
    numbers = sorted(values, key=float)
    return f"{numbers[0]}–{numbers[-1]}"


def summarize_reasons(reasons: list[str]) -> str:
    """One line for reasons of one kind: shared wording, each figure as its range."""
    if not reasons:
        return ""
    by_wording: dict[str, list[list[str]]] = {}
    for reason in reasons:
        by_wording.setdefault(_FIGURE.sub("#", reason), []).append(_FIGURE.findall(reason))
    wording = Counter({w: len(f) for w, f in by_wording.items()}).most_common(1)[0][0]
    figures = by_wording[wording]
    parts = wording.split("#")
    text = parts[0] + "".join(_range([f[i] for f in figures]) + part
                              for i, part in enumerate(parts[1:]))
    others = len(reasons) - len(figures)
    return text + (f" (and {others} worded otherwise)" if others else "")
