"""`retrolean chat` and `run` driven through a pseudo-terminal, as a person types at them.

pexpect gives the command a real terminal (rich draws its bars and colours as it would
for a person); the tests wait for the prompts, answer them, and read what the screen said,
ANSI codes stripped.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path

import pytest

from retrolean.tools.save_set import load_set
from retrolean.traces.writer import read_trace

pexpect = pytest.importorskip("pexpect")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
MUSIC, KNITTING = "music_intervals", "knitting_patterns"


class Terminal:
    """One command on a pseudo-terminal, with everything it printed kept."""

    def __init__(self, *argv: str, cwd: Path) -> None:
        self.screen = io.StringIO()
        env = {**os.environ, "COLUMNS": "160", "LINES": "50"}
        self.child = pexpect.spawn(sys.executable, ["-m", "retrolean", *argv], cwd=str(cwd),
                                   env=env, encoding="utf-8", timeout=240,
                                   dimensions=(50, 160))
        self.child.logfile_read = self.screen

    def wait(self, pattern: str) -> None:
        self.child.expect(pattern)

    def answer(self, prompt: str, text: str) -> None:
        self.child.expect(prompt)
        self.child.sendline(text)

    def finish(self, enter_until_done: bool = False) -> int:
        """Wait for the command to end (pressing Enter at every pause if asked); its rc."""
        while enter_until_done and self.child.expect(["Enter to continue", pexpect.EOF]) == 0:
            self.child.sendline("")
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else \
            128 + (self.child.signalstatus or 0)

    def text(self) -> str:
        """The screen so far, without colours and cursor moves, and with wrapped lines
        joined (every run of white space made one space)."""
        return re.sub(r"\s+", " ", ANSI.sub("", self.screen.getvalue()))


def only_run(workspace: Path) -> Path:
    (run,) = (workspace / "runs").iterdir()
    return run


def test_chat_reads_domains_says_what_it_applied_confirms_steers_stops_and_resumes(tmp_path):
    ws = tmp_path / "ws"
    chat = Terminal("chat", "make R1 easier to prompt, mostly about music and knitting",
                    "--n", "4", "--seed", "2", "--workspace", str(ws), "--formal", "smtlib2",
                    cwd=tmp_path)
    chat.answer("approve", "use only music and knitting domains, make the personas funnier, "
                           "n=3")
    chat.answer("approve", "yes")
    chat.answer("Enter to continue", "frame_shift_rate=1.0")
    chat.answer("Enter to continue", "k=5")
    chat.answer("Enter to continue", "stop")
    assert chat.finish() == 3
    screen = chat.text()
    in_order = [
        "domains from the goal: 43 of the catalog's 43 domains; every problem includes one "
        "of musical intervals (music_intervals), knitting patterns (knitting_patterns)",
        "applied: n 4 → 3",
        "applied: k 3 → 2 (only 2 domains to draw from)",
        "applied: domains: only musical intervals (music_intervals), knitting patterns "
        "(knitting_patterns)",
        "not understood: 'make the personas funnier'",
        "domains: only musical intervals (music_intervals), knitting patterns",
        "applied: frame_shift_rate 0.5 → 1.0",
        "not applied: k 2 → 5 — problems are drawn before the first stage",
        "stopping here",
    ]
    at = 0
    for line in in_order:
        found = screen.find(line, at)
        assert found >= 0, f"{line!r} not on screen after position {at}:\n{screen[at:]}"
        at = found + len(line)
    run = only_run(ws)
    resume_line = re.search(r"go on from roundtrip with retrolean chat --resume (\S+)", screen)
    assert resume_line, screen[-800:]
    assert resume_line.group(1) == run.name[-4:]
    sampled = [r for name in ("formalize.jsonl", "formalize.rejects.jsonl")
               if (run / "sets" / name).exists() for r in load_set(run / "sets" / name)]
    assert len(sampled) == 3 and all(set(r["domains"]) == {MUSIC, KNITTING} for r in sampled)
    _, blocks = read_trace(run / "trace.jsonl")
    notes = [b.body for b in blocks if b.type == "orientation"]
    assert any("applied: frame_shift_rate 0.5 → 1.0" in n for n in notes)

    again = Terminal("chat", "--resume", resume_line.group(1), "--workspace", str(ws),
                     cwd=tmp_path)
    assert again.finish(enter_until_done=True) == 0, again.text()[-1500:]
    assert "run finished:" in again.text()
    plan = json.loads((run / "plan.json").read_text())
    assert plan["parameters"]["frame_shift_rate"] == 1.0 and plan["parameters"]["n"] == 3
    assert load_set(run / "sets" / "conversations.jsonl")
    _, blocks = read_trace(run / "trace.jsonl")
    starts = [b.data.stage.name for b in blocks if b.type == "orientation" and b.data.stage]
    assert starts.count("formalize") == 1 and starts[3] == "roundtrip"  # went on, nothing redone


def test_chat_rejected_plan_runs_nothing_and_exits_3(tmp_path):
    chat = Terminal("chat", "make R1 easier to prompt about squares", "--n", "3",
                    "--workspace", str(tmp_path / "ws"), "--formal", "smtlib2", cwd=tmp_path)
    chat.answer("approve", "no")
    assert chat.finish() == 3
    screen = chat.text()
    assert "not taken from the goal: 'squares' could be magic squares" in screen
    assert "plan rejected: nothing ran" in screen


def test_ctrl_c_during_run_prints_the_resume_line_and_the_run_resumes(tmp_path):
    ws = tmp_path / "ws"
    run_cmd = Terminal("run", "g", "--n", "14", "--seed", "11", "--workspace", str(ws),
                       "--formal", "smtlib2", cwd=tmp_path)
    run_cmd.wait("presence")  # a stage is under way
    run_cmd.child.sendintr()
    assert run_cmd.finish() == 130
    screen = run_cmd.text()
    run = only_run(ws)
    assert f"interrupted: run {run.name} is saved; go on with retrolean run --resume " \
           f"{run.name[-4:]}" in screen
    again = Terminal("run", "--resume", run.name[-4:], "--workspace", str(ws), cwd=tmp_path)
    assert again.finish() == 0, again.text()[-1500:]
    assert load_set(run / "sets" / "conversations.jsonl")


def test_ctrl_c_at_a_chat_prompt_after_z3_ran_in_process_leaves_with_the_resume_line(tmp_path):
    """The proofs of the first stage run Z3 in this process; with Z3's own Ctrl-C handling
    on, it put Python's SIGINT handler back with SA_RESTART and the prompt's blocking read
    then swallowed Ctrl-C (the chat hung). The prompt must leave at once, with the resume
    command."""
    ws = tmp_path / "ws"
    chat = Terminal("chat", "g", "--n", "6", "--seed", "4", "--workspace", str(ws),
                    "--formal", "smtlib2", cwd=tmp_path)
    chat.answer("approve", "yes")
    chat.wait("Enter to continue")
    chat.child.sendintr()
    chat.child.expect(pexpect.EOF, timeout=30)
    assert chat.finish() == 130
    run = only_run(ws)
    assert f"interrupted: run {run.name} is saved; go on with retrolean chat --resume " \
           f"{run.name[-4:]}" in chat.text()
