"""Write docs/sample-records.md: five records of a run, as a trainer reads them.

Reads a finished run's final set (`sets/conversations.jsonl`) and its `plan.json`, picks
five records and prints, as markdown, each record's texts: caption, personas (with their
slips and frames), the missing-domain text, the fill-in and the conversations, turn by turn.

Which records: the run's first two; then, for each persona that has not yet written the
missing-domain text of a picked record, the first record whose missing-domain text that
persona wrote; then the first record with a theme after the last one picked. They are
printed in set order.

Run it on the run directory (`WORKSPACE/runs/<run-id>`) of
`retrolean run "make R1 easier to prompt" --n 200 --seed 3 --workspace WORKSPACE`:

    python docs/sample_records.py RUN_DIR > docs/sample-records.md
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from retrolean.tools.save_set import load_set

Record = dict[str, Any]

HOW_MANY = 5
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def pick(records: list[Record]) -> tuple[list[Record], list[str]]:
    """The picked records in set order, and which rules beyond "the first two" picked any."""
    picked = list(range(min(2, len(records))))
    reasons: list[str] = []
    covered = {records[i]["missing"]["persona"] for i in picked}
    for i, record in enumerate(records):
        persona = record["missing"]["persona"]
        if persona not in covered and len(picked) < HOW_MANY:
            picked.append(i)
            covered.add(persona)
            reasons = ["persona"]
    last = max(picked, default=-1)
    themed = [i for i in range(last + 1, len(records)) if records[i]["theme"]]
    if themed and len(picked) < HOW_MANY:
        picked.append(themed[0])
        reasons.append("theme")
    return [records[i] for i in sorted(picked)], reasons


def picking_sentence(reasons: list[str]) -> str:
    """How the records were chosen, saying only what the rules did."""
    parts = {
        "persona": "one record per persona that lost a domain",
        "theme": "one more with a theme",
    }
    first = "The first two are the run's first records"
    if not reasons:
        return f"{first}."
    return f"{first}; the others were picked for {', and '.join(parts[r] for r in reasons)}."


def wrap(text: str, width: int) -> str:
    """A paragraph filled to `width` columns, never broken inside a word."""
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def intro(plan: dict[str, Any], final: int, count: int, reasons: list[str]) -> str:
    """The title and the two paragraphs above the records."""
    if plan["language"] != "smtlib2":
        sys.exit(f"the text says SMT-LIB 2 checked by Z3; this run is {plan['language']}")
    params = plan["parameters"]
    command = f'retrolean run "{plan["goal"]}" --n {params["n"]} --seed {params["seed"]}'
    word = NUMBER_WORDS.get(count, str(count))
    what = (
        f"What the embedded default makes, as a trainer reads it: {word} records of `{command}`"
        f" ({plan['backend']} backend, SMT-LIB 2 checked by Z3; {params['n']} problems sampled,"
        f" {final} final). {picking_sentence(reasons)} The same command gives the same records"
        " (`sets/conversations.jsonl`, same ids), and `python docs/sample_records.py RUN_DIR`"
        " writes this page from them; what each figure means is in [evals.md](evals.md)."
    )
    texts = (
        "Each record's texts as a trainer reads them: caption, the four personas (with recorded"
        " slips and frames), the missing-domain text (with the dropped domain, the frame shift,"
        " the verification method), the fill-in, and both conversations, turn by turn. The formal"
        " SMT-LIB text, presence and proofs are in `sets/conversations.jsonl` under the same ids."
    )
    title = f"# {word.capitalize()} records, as a run writes them"
    return f"{title}\n\n{wrap(what, 79)}\n\n{wrap(texts, 100)}\n"


def quoted(text: str) -> list[str]:
    """A text as a blockquote, line by line (not splitlines: U+2028 is data)."""
    return [f"> {line}" for line in text.split("\n")]


def turn(role: str, content: str) -> list[str]:
    """One conversation turn as a list item; its further lines indented under it."""
    first, *rest = content.split("\n")
    return [f"- *{role}*: {first}", *(f"  {line}" for line in rest)]


def record_lines(record: Record) -> list[str]:
    """One record's section: heading, caption, personas, missing, fill-in, conversations."""
    theme = f"theme: {record['theme']}" if record["theme"] else "no theme"
    roundtrip = record["english"]["roundtrip"]
    lines = [
        f"### record {record['id']}: {', '.join(record['domains'])} — {theme}",
        "",
        f"**caption** (round trip: {roundtrip['method']}, {roundtrip['outcome']}):",
        "",
        *quoted(record["english"]["text"]),
        "",
    ]
    for name, persona in record["personas"].items():
        slips = persona["errors"] or "none"
        lines += [f"**{name}** (slips: {slips}; frames: {persona['frames']}):", ""]
        lines += [*quoted(persona["text"]), ""]
    missing = record["missing"]
    shift = missing["frames"] if missing["frame_shifted"] else ""
    lines += [
        f"**missing** (persona {missing['persona']}, dropped `{missing['dropped']}`, frame shift:"
        f" {missing['frame_shifted']} {shift}; verified by {missing['method']}):",
        "",
        *quoted(missing["text"]),
        "",
        "**fill-in**:",
        "",
        *quoted(record["fill_in"]["text"]),
        "",
    ]
    for conversation in record["conversations"]:
        lines += [
            f"**conversation `{conversation['template']}`** (persona {conversation['persona']}):",
            "",
        ]
        for message in conversation["messages"]:
            lines += turn(message["role"], message["content"])
        lines.append("")
    return [*lines, ""]


def document(run_dir: Path) -> str:
    """The whole markdown document for the run in `run_dir`."""
    plan = json.loads((run_dir / "plan.json").read_text(encoding="utf-8"))
    records = load_set(run_dir / "sets" / "conversations.jsonl")
    chosen, reasons = pick(records)
    head = intro(plan, len(records), len(chosen), reasons)
    body = [line for record in chosen for line in record_lines(record)]
    return head + "\n" + "\n".join(body) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Print docs/sample-records.md for a run.")
    parser.add_argument("run_dir", type=Path, help="a run directory, WORKSPACE/runs/<run-id>")
    args = parser.parse_args()
    sys.stdout.buffer.write(document(args.run_dir).encode("utf-8"))


if __name__ == "__main__":
    main()
