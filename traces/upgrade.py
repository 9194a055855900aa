"""Reading traces written by earlier versions: version-1 blocks, whose data was a plain dict.

Version 1 wrote each block's `data` as whatever dict the writer had at hand.
`upgrade_v1` maps the shapes version 1 wrote onto version 2's typed data:

- action `{skill, tools, records_in, attempt, parameters}` (a stage run) ->
  the tool call `run_stage` with the stage and those arguments, as version 1's
  exporter rendered it; an action that named `tool` and `arguments` keeps them;
- observation `{accepted, rejected, set, rejects, reasons, figures}` -> the
  stage's `StageYield`;
- evaluation `{action, reason, retry_from, changes, yield, expected}` -> a
  `Decision` with the observed and expected yield; a judged model call -> `judged`;
- every other type kept its field names, so its dict is its data as it is.

What still does not fit is kept whole in the block's `legacy` field, so a
reader shows it rather than refusing the file. Trade-off: only shapes that
retrolean itself wrote are mapped field by field; anything else is shown, not
interpreted.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from retrolean.traces.schema import BLOCKS, Block

_DECISION = ("action", "reason", "retry_from", "changes")
# the least data a block type needs, for a version-1 block whose data fits nothing here
_UNKNOWN: dict[str, dict[str, Any]] = {"action": {"tool": "unknown"},
                                       "outcome": {"status": "unknown"},
                                       "debug": {"skill": "unknown", "outcome": "ok"}}


def _action(data: dict[str, Any], stage: str | None) -> dict[str, Any]:
    if isinstance(data.get("tool"), str) and isinstance(data.get("arguments"), dict):
        return {"tool": data["tool"], "arguments": data["arguments"]}
    return {"tool": "run_stage", "arguments": {**({"stage": stage} if stage else {}), **data}}


def _observation(data: dict[str, Any], stage: str | None) -> dict[str, Any]:
    accepted, rejected = data.get("accepted"), data.get("rejected")
    if not (stage and isinstance(accepted, int) and isinstance(rejected, int)):
        return data
    return {"tool": "run_stage", "stage_yield": {
        "stage": stage, "records_in": accepted + rejected, "records_out": accepted,
        "rejected": rejected, "reasons": data.get("reasons") or {},
        "figures": data.get("figures") or {}, "set_path": data.get("set"),
        "rejects_path": data.get("rejects")}}


def _evaluation(data: dict[str, Any]) -> dict[str, Any]:
    if "question" in data or "judge_method" in data:
        return {"judged": data}
    out: dict[str, Any] = {k: v for k, v in data.items()
                           if k not in (*_DECISION, "yield", "expected")}
    if "action" in data and "reason" in data:
        out["decision"] = {k: data[k] for k in _DECISION if k in data}
    for old, new in (("yield", "observed"), ("expected", "expected")):
        if old in data:
            out[new] = data[old]
    return out


def upgrade_v1(raw: dict[str, Any]) -> dict[str, Any]:
    """A version-1 block as a version-2 block dict (see the module docstring)."""
    data = raw.get("data") or {}
    kind, stage = raw.get("type"), raw.get("stage")
    if kind == "action":
        data = _action(data, stage)
    elif kind == "observation":
        data = _observation(data, stage)
    elif kind == "evaluation":
        data = _evaluation(data)
    return {**raw, "data": data}


def read_block(raw: dict[str, Any], version: int) -> Block:
    """A block line of a trace in format `version`, as a typed block.

    A file's blocks are tried as the current version first: a version-1 trace
    that a newer retrolean resumed holds blocks of both versions.
    """
    try:
        return BLOCKS.validate_python(raw)
    except ValidationError:
        if version >= 2:
            raise
    upgraded = upgrade_v1(raw)
    try:
        return BLOCKS.validate_python(upgraded)
    except ValidationError:
        data = raw.get("data")
        return BLOCKS.validate_python({
            **upgraded, "data": _UNKNOWN.get(str(raw.get("type")), {}),
            "legacy": data if isinstance(data, dict) else {"data": data}})
