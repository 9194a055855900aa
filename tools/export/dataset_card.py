"""The dataset card (`README.md`) of an exported run: how the data was made, and how to load it.

Front matter in the Hugging Face format (one config per set, its splits'
parquet files, tags, a `license` line for the publisher to set), then the
generator, model, seed and recipe, the yield of every stage read from the
trace, the thresholds, the filters applied and the columns. The trade-off:
the card states what the files and trace say and nothing more; intended
uses and limitations are the publisher's to write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrolean.memory.errors import UserError
from retrolean.tools.export.dedup import DedupReport
from retrolean.traces.reader import load_trace
from retrolean.traces.score import stage_yields

MARKER = "<!-- written by retrolean export dataset -->"


@dataclass
class SetExport:
    """One set's rows per split and where they went."""

    name: str
    records: int
    dedup: DedupReport
    unit: str = "records"  # what a row is: a record, or one conversation of a record
    splits: dict[str, int] = field(default_factory=dict)  # split -> rows
    files: dict[str, str] = field(default_factory=dict)  # split -> path relative to the output


@dataclass
class DatasetExport:
    """What `export_dataset` wrote."""

    out: Path
    sets: list[SetExport] = field(default_factory=list)
    combinations: dict[str, int] = field(default_factory=dict)  # split -> combinations


def default_set(export: DatasetExport) -> SetExport | None:
    """The set `load_dataset(DIR)` reads with no config name: the conversations, else the
    last set exported (the run's final stage)."""
    written = [s for s in export.sets if s.files]
    return next((s for s in written if s.name == "conversations"), written[-1] if written
                else None)


def _front_matter(export: DatasetExport, run_id: str) -> list[str]:
    lines = ["---", "# set the license before publishing (e.g. cc-by-4.0, mit, other)",
             "license: unknown", f"pretty_name: retrolean {run_id}",
             "tags:", "- synthetic", "- retrolean", "- formal-methods", "configs:"]
    default = default_set(export)
    for s in export.sets:
        if not s.files:
            continue
        lines += [f"- config_name: {s.name}"] + (["  default: true"] if s is default else [])
        lines += ["  data_files:"]
        for split, path in s.files.items():
            lines += [f"  - split: {split}", f"    path: {path}"]
    return [*lines, "---"]


def render_card(run_dir: Path, plan: dict[str, Any], export: DatasetExport, *,
                test_size: float, seed: int) -> str:
    """The card as Markdown with Hugging Face front matter."""
    params, thresholds = plan.get("parameters", {}), plan.get("thresholds", {})
    try:
        stages = stage_yields(load_trace(run_dir).blocks)
    except UserError:
        stages = []
    lines = [*_front_matter(export, run_dir.name), MARKER, "",
             f"# retrolean run {run_dir.name}", "",
             f"Goal: {plan.get('goal', '(unknown)')}", "",
             "Synthetic problems combining several domains, each with a formal statement "
             "checked by a solver, an English caption verified by a formal → English → formal "
             "round trip, lossy persona descriptions, a version with one domain missing, the "
             "fill-in that restores it, and conversations glued from these parts.", "",
             "## How it was made", "",
             f"- generator: **{plan.get('backend', '?')}** backend"
             + (" (seeded template processes, no language model)"
                if plan.get("backend") == "template" else ""),
             f"- model: {plan.get('model') or 'none'}",
             f"- recipe: `{plan.get('recipe', '?')}`; formal language: "
             f"`{plan.get('language', '?')}`",
             f"- seed: {params.get('seed', '?')}; problems sampled: {params.get('n', '?')}; "
             f"domains per problem: {params.get('k', '?')}",
             "- thresholds: " + (", ".join(f"{k} = {v}" for k, v in thresholds.items())
                                 or "none recorded"),
             "", "## Yield per stage", "", "| stage | in | out | yield |",
             "| --- | ---: | ---: | ---: |"]
    for y in stages:
        lines.append(f"| {y.stage} | {y.records_in} | {y.records_out} | "
                     f"{y.yield_pct:.0f}% |")
    if not stages:
        lines.append("| (no readable trace) | | | |")
    lines += ["", "## Filters and splits", "",
              f"- split: test share {test_size:g}, seed {seed}; domain combinations are "
              f"disjoint between splits ({export.combinations.get('train', 0)} train, "
              f"{export.combinations.get('test', 0)} test combinations)", "",
              "| set | records | dedup | rows are | train rows | test rows |",
              "| --- | ---: | --- | --- | ---: | ---: |"]
    for s in export.sets:
        lines.append(f"| {s.name} | {s.records} | {s.dedup.summary()} | {s.unit} | "
                     f"{s.splits.get('train', 0)} | {s.splits.get('test', 0)} |")
    default = default_set(export)
    lines += ["", "## Columns", "",
              "`id`, `domains`, `theme`; `formal_language`, `formal_text`, `formal_status`, "
              "`formal_checker`; `presence` (per domain: touchstones found, judge p(yes)); "
              "`english`, `roundtrip_text`, `roundtrip_similarity`, `roundtrip_method` (what "
              "verified the caption: `equivalence` proved by Z3 or Lean, `witness`, "
              "`similarity`); `missing_method` (`touchstones+z3`: the dropped domain proven "
              "not entailed); `personas`; "
              "`missing_dropped`, `missing_persona`, `missing_frame_shifted`, `missing_text`, "
              "`missing_similarity`; `fill_in`; `conversations`; `generator`, `model`, "
              "`recipe`, `seed`; `reject_stage`, `reject_reason` (rejects sets only); "
              "`record_json` (the whole record). The `conversations` set has one row per "
              "conversation: `messages` (a list of `role`, `content`), `template`, `persona`, "
              "`conversation` (its index in the record), then the record's columns.", ""]
    if default:
        path = default.files.get("train") or next(iter(default.files.values()))
        lines += ["## Loading", "", "```python", "from datasets import load_dataset", "",
                  f"ds = load_dataset(\"path/to/this/dir\")  # the {default.name} set "
                  "(default config)",
                  'other = load_dataset("path/to/this/dir", "<set>")  # any set by name',
                  f'one_file = load_dataset("parquet", data_files={{"train": "{path}"}})',
                  "```", ""]
        if default.name == "conversations":
            lines += ["`messages` is the chat format TRL's `SFTTrainer` trains on as it is "
                      "(`SFTTrainer(model=…, train_dataset=ds[\"train\"])`).", ""]
    lines += ["## License", "", "To be chosen by the publisher of this dataset.", ""]
    return "\n".join(lines)
