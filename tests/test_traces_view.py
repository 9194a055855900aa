"""Reading and viewing traces: the terminal timeline, cut-off and damaged files, the HTML page."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from review_run import cli, copy_workspace, only_run, review_workspace
from rich.console import Console

from retrolean.memory.errors import UserError
from retrolean.traces.block_data import EvaluationData, ToolCall
from retrolean.traces.html import trace_html
from retrolean.traces.reader import load_trace
from retrolean.traces.schema import ActionBlock, EvaluationBlock
from retrolean.traces.viewer import filter_blocks, fold, timeline

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    return review_workspace(tmp_path_factory)


@pytest.fixture
def own_ws(ws, tmp_path) -> Path:
    return copy_workspace(ws, tmp_path / "own")


def render(renderable) -> str:
    console = Console(width=160, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def tear_last_line(trace: Path) -> int:
    """Cut the trace's last line in half, as a crash mid-write does; return complete blocks."""
    lines = trace.read_text().splitlines(keepends=True)
    trace.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    return len(lines) - 2  # header and the torn line are not blocks


def test_timeline_shows_every_block_with_type_stage_and_time(ws):
    trace = load_trace(only_run(ws))
    text = render(timeline(trace))
    assert f"{len(trace.blocks)} of {len(trace.blocks)} blocks shown" in text
    for b in trace.blocks:
        assert re.search(rf"^\W*{b.index}\W", text, re.MULTILINE), b.index
    for kind in ("orientation", "action", "expectation", "observation", "evaluation", "outcome"):
        assert kind in text
    assert "+0.0s" in text and "formalize" in text


def test_filters_keep_types_and_stages(ws):
    blocks = load_trace(only_run(ws)).blocks
    kept = filter_blocks(blocks, ["action,outcome"], None)
    assert {b.type for b in kept} == {"action", "outcome"}
    kept = filter_blocks(blocks, None, ["caption"])
    assert kept and {b.stage for b in kept} == {"caption"}
    assert filter_blocks(blocks, ["evaluation"], ["roundtrip"])[0].type == "evaluation"


@pytest.mark.parametrize("types, stages, fragment", [
    (["thought"], None, "unknown block type 'thought'"),
    (None, ["nowhere"], "no stage 'nowhere' in this trace; stages: formalize"),
])
def test_unknown_filter_names_what_exists(ws, types, stages, fragment):
    with pytest.raises(UserError, match=re.escape(fragment)):
        filter_blocks(load_trace(only_run(ws)).blocks, types, stages)


def test_long_bodies_fold_unless_full():
    long = "\n".join(f"line {i}" for i in range(10))
    assert fold(long) == "line 0\nline 1  … (+8 lines)"
    assert fold("x" * 500).endswith("(+260 chars)")
    assert fold("short") == "short"


def test_full_shows_data_and_judged_question(tmp_path):
    trace = tmp_path / "trace.jsonl"
    trace.write_text(json.dumps({"format": "retrolean-trace", "version": 2, "run_id": "r",
                                 "goal": "g"}) + "\n" + EvaluationBlock(
        body="\n".join(["first", "second", "third"]), stage="s",
        data=EvaluationData(observed=0.5), score=2.0, q="Did the stage meet its expectation?",
    ).model_dump_json() + "\n")
    loaded = load_trace(trace)
    folded, full = render(timeline(loaded)), render(timeline(loaded, full=True))
    assert "third" not in folded and "(+1 lines)" in folded
    assert "third" in full and '"observed": 0.5' in full
    assert "Did the stage meet its expectation? Yes. (88.1%)" in full


def test_torn_last_line_keeps_every_complete_block(own_ws):
    run = only_run(own_ws)
    complete = tear_last_line(run / "trace.jsonl")
    trace = load_trace(run)
    assert trace.torn and len(trace.blocks) == complete and trace.header is not None
    assert "half-written" in trace.warnings()[0]
    assert "half-written" in render(timeline(trace))


def test_damaged_middle_line_is_one_clear_error(own_ws):
    trace = only_run(own_ws) / "trace.jsonl"
    lines = trace.read_text().splitlines()
    lines[3] = lines[3][:20]
    trace.write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError, match=r"line 4 is not JSON and is not the last line"):
        load_trace(trace)


@pytest.mark.parametrize("content, fragment", [("", "is empty"), (None, "does not exist")])
def test_empty_or_missing_trace(tmp_path, content, fragment):
    if content is not None:
        (tmp_path / "trace.jsonl").write_text(content)
    with pytest.raises(UserError, match=fragment):
        load_trace(tmp_path)


def test_cli_show_on_a_cut_off_run_warns_and_shows_blocks(own_ws, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    tear_last_line(only_run(own_ws) / "trace.jsonl")
    assert cli("traces", "show", "latest", "--type", "action", "--workspace", str(own_ws)) == 0
    out = capsys.readouterr().out
    assert "half-written" in out and "Run skill formalize.smtlib2 on 12 items" in out


def test_html_is_self_contained_with_one_collapsible_block_each(ws):
    trace = load_trace(only_run(ws))
    page = trace_html(trace)
    assert page.count('<details class="block') == len(trace.blocks)
    assert "<link" not in page and not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<style>" in page and "<script>" in page


def test_html_highlights_code_and_escapes_bodies(tmp_path):
    body = ("Checking this:\n```smt\n(declare-const x Int)\n(assert (> x 2))\n```\n"
            "<script>x</script>")
    trace = tmp_path / "trace.jsonl"
    trace.write_text(json.dumps({"format": "retrolean-trace", "version": 2, "run_id": "r",
                                 "goal": "g"}) + "\n"
                     + ActionBlock(body=body, data=ToolCall(tool="smt_check", arguments={
                         "text": "(assert\n (> y 1))"})).model_dump_json() + "\n")
    page = trace_html(load_trace(trace))
    assert page.count('<div class="hl">') == 3  # the fenced code, the data, the data's text
    assert re.search(r'<span class="\w+">assert</span>', page)
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_cli_html_writes_the_page(ws, tmp_path, capsys):
    out = tmp_path / "t.html"
    assert cli("traces", "html", "latest", "--out", str(out), "--workspace", str(ws)) == 0
    assert out.read_text().startswith("<!DOCTYPE html>") and str(out) in capsys.readouterr().out


def _chromium(*args: str) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-")
    try:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=90)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed "
                    "(apt-get install chromium; .ci/run installs it)")
def test_chromium_renders_every_block(ws, tmp_path):
    trace = load_trace(only_run(ws))
    page = tmp_path / "trace.html"
    page.write_text(trace_html(trace))
    dom = _chromium("--dump-dom", page.as_uri()).stdout
    assert dom.count('<details class="block') == len(trace.blocks)
    assert "Stage formalize:" in dom and "Run skill formalize" in dom and "</main>" in dom
    shot = tmp_path / "trace.png"
    _chromium(f"--screenshot={shot}", "--window-size=1200,900", page.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000
