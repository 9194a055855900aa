"""Trace blocks are typed per kind and render themselves; version-1 traces still load and show."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from rich.console import Console

from retrolean.traces.block_data import ModelCall, ObservationData, StageYield, ToolCall
from retrolean.traces.export import tool_schemas, trace_messages, weave_text
from retrolean.traces.html import trace_html
from retrolean.traces.reader import load_trace
from retrolean.traces.schema import (
    VERSION,
    ActionBlock,
    DebugBlock,
    EvaluationBlock,
    ObservationBlock,
    OrientationBlock,
    TraceHeader,
    make_block,
)
from retrolean.traces.score import score_trace, stage_yields
from retrolean.traces.viewer import timeline
from retrolean.traces.writer import JsonlSink, TraceWriter, read_trace

V1 = Path(__file__).parent / "data" / "trace_v1.jsonl"
STAGES = ["formalize", "presence", "caption", "roundtrip", "personas", "missing", "fill_in",
          "conversations"]


def render(renderable) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_a_version_1_trace_loads_as_typed_blocks():
    trace = load_trace(V1)
    assert trace.header is not None and trace.header.version == 1
    kinds = {type(b) for b in trace.blocks}
    assert {OrientationBlock, ActionBlock, ObservationBlock, EvaluationBlock, DebugBlock} <= kinds
    first_action = next(b for b in trace.blocks if isinstance(b, ActionBlock))
    assert first_action.data.tool == "run_stage"
    assert first_action.data.arguments["stage"] == "formalize"
    assert first_action.data.arguments["records_in"] == 6
    judged = next(b for b in trace.blocks if isinstance(b, EvaluationBlock) and b.data.judged)
    assert judged.data.judged.judge_method == "logprobs" and judged.score == 1.386
    decided = [b for b in trace.blocks if isinstance(b, EvaluationBlock) and b.data.decision]
    assert {b.data.decision.action for b in decided} == {"continue"}


def test_a_version_1_trace_gives_its_yields_and_score():
    blocks = load_trace(V1).blocks
    yields = stage_yields(blocks)
    assert [y.stage for y in yields] == STAGES and yields[0].records_in == 6
    assert all(y.set_path == f"sets/{y.stage}.jsonl" for y in yields)
    score = score_trace(blocks)
    assert score.finished and 0 < score.total <= 1 and score.parts["expectations"] > 0


def test_a_version_1_trace_displays_and_exports():
    trace = load_trace(V1)
    text = render(timeline(trace, full=True))
    assert "trace format v1" in text and "run_stage" in text and '"legacy"' in text
    page = trace_html(trace)
    assert page.count('<details class="block') == len(trace.blocks)
    messages = trace_messages(trace.goal, trace.blocks)
    assert [t["function"]["name"] for t in tool_schemas(messages)] == ["run_stage"]
    assert weave_text(trace.blocks).count("#startblock") == len(trace.blocks)


def test_a_version_1_run_resumed_by_this_version_reads_back(tmp_path):
    path = tmp_path / "trace.jsonl"
    shutil.copy(V1, path)
    _, before = read_trace(path)
    header = TraceHeader(run_id="r", goal="g")
    writer = TraceWriter([JsonlSink(path, header)], start_index=len(before))
    writer.write("observation", "smt_check: sat 2.", stage="formalize",
                 data=ObservationData(tool="smt_check", counts={"sat": 2}))
    found, blocks = read_trace(path)
    assert found is not None and found.version == 1 and len(blocks) == len(before) + 1
    assert blocks[-1].data.counts == {"sat": 2}


def test_new_traces_state_the_current_version(tmp_path):
    path = tmp_path / "trace.jsonl"
    TraceWriter([JsonlSink(path, TraceHeader(run_id="r", goal="g"))]).write("user", "hi")
    assert json.loads(path.read_text().splitlines()[0])["version"] == VERSION == 2


def test_each_block_renders_itself_to_weave_text_and_a_chat_turn():
    action = ActionBlock(index=3, stage="formalize", body="Check 2 SMT-LIB 2 texts.",
                         data=ToolCall(tool="smt_check", arguments={"texts": 2}))
    assert action.turn().call == {"id": "call_3", "type": "function", "function": {
        "name": "smt_check", "arguments": '{"texts": 2}'}}
    seen = ObservationBlock(stage="formalize", body="formalize: 4 -> 2 (2 rejected).",
                            data=ObservationData(tool="save_set", stage_yield=StageYield(
                                stage="formalize", records_in=4, records_out=2, rejected=2)))
    turn = seen.turn()
    assert turn.kind == "result" and '"yield_frac": 0.5' in turn.text
    assert turn.alone.startswith("Observation: formalize: 4 -> 2")
    debug = make_block("debug", "model call", data=ModelCall(skill="caption", outcome="ok"))
    assert debug.turn().text == "Debug: model call" and "skill" not in debug.weave()
    assert "#stage formalize\nCheck 2 SMT-LIB 2 texts.\n" in action.weave()


def test_block_data_refuses_unknown_fields():
    try:
        make_block("expectation", "x", data={"min_yeild": 0.4})
    except ValueError as e:
        assert "min_yeild" in str(e)
    else:
        raise AssertionError("a misspelt field was accepted")
