"""Measure what a retry can change on the template backend (the figures in agent/graph/levers.py).

Usage: python bench/retry_levers.py [--n 60] [--seed 3]

1. frame_shift_rate 0 / 0.5 / 1: the missing stage's kept share at each rate (one attempt
   per stage), to see whether the rate is a lever for that stage.
2. A fresh draw: the missing stage run again on the same persona set with attempt 1 and 2
   (another dropped domain and persona per record), counting the attempt-0 rejects it keeps.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import replace
from pathlib import Path

from retrolean.agent.pipeline import RunOptions
from retrolean.agent.runner import drive, start
from retrolean.agent.settings import Settings
from retrolean.recipes.recipe import RECIPE_DIR
from retrolean.recipes.records import Record
from retrolean.recipes.stages import STAGES
from retrolean.tools.save_set import load_set

MISSING_TOOLS = ["generate", "embed_similarity", "touchstones", "smt_check"]


def missing_yield(tmp: Path, rate: float, n: int, seed: int) -> tuple[int, int]:
    """(records into missing, records kept) at this frame-shift rate."""
    text = (RECIPE_DIR / "make-r1-easier-to-prompt.yaml").read_text()
    recipe = tmp / f"rate-{rate}.yaml"
    recipe.write_text(text.replace("frame_shift_rate: 0.5", f"frame_shift_rate: {rate}"))
    settings = Settings(workspace=tmp / f"ws-{rate}", formal="smtlib2", recipe=str(recipe),
                        max_stage_attempts=1)
    session = start(settings, RunOptions(goal="bench", n=n, seed=seed))
    row = drive(session)["rows"]["missing"]
    session.close()
    return row["records_in"], row["records_out"]


def fresh_draws(tmp: Path, n: int, seed: int) -> tuple[int, int, int]:
    """(attempt-0 rejects, kept by attempt 1, kept by attempt 1 or 2)."""
    settings = Settings(workspace=tmp / "ws-draw", formal="smtlib2", max_stage_attempts=1)
    session = start(settings, RunOptions(goal="bench", n=n, seed=seed))
    drive(session)
    prepared, run_dir = session.runtime.prepared, session.runtime.run_dir
    records = [Record.model_validate(r) for r in load_set(run_dir / "sets" / "personas.jsonl")]
    kept = []
    for attempt in (0, 1, 2):
        ctx = replace(prepared.ctx, attempt=attempt,
                      tools=prepared.toolset.toolbox(MISSING_TOOLS, stage="missing"))
        result = STAGES["missing"].run([r.model_copy(deep=True) for r in records], ctx)
        kept.append({r.id for r in result.accepted})
    session.close()
    failed = {r.id for r in records} - kept[0]
    return len(failed), len(failed & kept[1]), len(failed & (kept[1] | kept[2]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for rate in (0.0, 0.5, 1.0):
            given, kept = missing_yield(Path(tmp), rate, args.n, args.seed)
            print(f"frame_shift_rate {rate}: missing kept {kept} of {given}")
        failed, one, two = fresh_draws(Path(tmp), args.n, args.seed)
        print(f"fresh draw: of {failed} missing-stage rejects, attempt 1 keeps {one}, "
              f"attempt 1 or 2 keeps {two}")


if __name__ == "__main__":
    main()
