"""Stand-ins for `lean --json` and the Lean REPL, written into a test's tmp_path.

They speak the real formats (one JSON message per line; pretty-printed REPL
answers separated by blank lines) and misbehave on request, keyed by words
in the checked text: `hang_forever` (sleeps, after starting a child that
sleeps too), `crash_now` (dies), `grab_memory` (allocates 2 GB), `keep_memory`
(holds 150 MB), `broken` (an error message), `sorry` (the sorry warning).
Each start and each REPL header is logged as a JSON line to `log`.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

from retrolean.tools.lean_check import LeanConfig

_COMMON = r'''
import json, os, resource, subprocess, sys, time
LOG = {log!r}

def note(**event):
    with open(LOG, "a") as f:
        f.write(json.dumps(event) + "\n")

def interfaces():
    try:
        lines = open("/proc/net/dev").read().splitlines()[2:]
    except OSError:
        return []
    return sorted(line.split(":")[0].strip() for line in lines)

def misbehave(text, hold):
    if "hang_forever" in text:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        note(event="child", pid=child.pid)
        time.sleep(120)
    if "crash_now" in text:
        os.abort()
    if "grab_memory" in text:
        hold.append(b"x" * (2 * 1024 ** 3))
    if "keep_memory" in text:
        hold.append(b"x" * (150 * 1024 ** 2))

def messages(text, caption):
    out = []
    for n, line in enumerate(text.split("\n"), 1):
        if "broken" in line:
            out.append(dict(severity="error", pos=dict(line=n, column=line.index("broken")),
                            endPos=dict(line=n, column=line.index("broken") + 6),
                            data="unknown identifier 'broken'", **caption))
        if "sorry" in line:
            out.append(dict(severity="warning", pos=dict(line=n, column=0),
                            endPos=dict(line=n, column=4), data="declaration uses 'sorry'",
                            **caption))
    return out
'''

FAKE_LEAN = _COMMON + r'''
if sys.argv[1:] == ["--version"]:
    print("Lean (version 4.99.0-standin, x86_64-unknown-linux-gnu, Release)")
    sys.exit(0)
path = sys.argv[-1]
text = open(path, encoding="utf-8").read()
note(event="start", pid=os.getpid(), cwd=os.getcwd(), file=path, argv=sys.argv[1:],
     data_limit=resource.getrlimit(resource.RLIMIT_DATA)[0], interfaces=interfaces())
hold = []
misbehave(text, hold)
found = messages(text, dict(fileName=path, keepFullRange=False, caption="", kind="[anonymous]"))
for m in found:
    print(json.dumps(m))
sys.exit(1 if any(m["severity"] == "error" for m in found) else 0)
'''

FAKE_REPL = _COMMON + r'''
note(event="start", pid=os.getpid(), cwd=os.getcwd(),
     data_limit=resource.getrlimit(resource.RLIMIT_DATA)[0])
envs, hold, block = 0, [], []

def answer(obj):
    sys.stdout.write(json.dumps(obj, indent=1, ensure_ascii=False) + "\n\n")
    sys.stdout.flush()

for line in sys.stdin:
    if line.strip():
        block.append(line)
        continue
    if not block:
        continue
    command, block = json.loads("".join(block)), []
    text = command.get("cmd", "")
    if "env" in command and command["env"] >= envs:
        answer({"message": "Unknown environment."})
        continue
    if "env" not in command and text.startswith("import"):
        note(event="header", pid=os.getpid(), imports=text)
        if "Missing" in text:
            answer({"messages": [{"severity": "error", "pos": {"line": 1, "column": 0},
                                  "data": "unknown module prefix 'Missing'"}], "env": envs})
            envs += 1
            continue
    misbehave(text, hold)
    reply = {"env": envs}
    found = [{k: m[k] for k in ("severity", "pos", "endPos", "data")} for m in messages(text, {})]
    if found:
        reply["messages"] = found
    sorries = [{"proofState": i, "pos": m["pos"], "endPos": m["endPos"], "goal": "⊢ True"}
               for i, m in enumerate(found) if m["severity"] == "warning"]
    if sorries:
        reply["sorries"] = sorries
    answer(reply)
    envs += 1
'''


def _write(path: Path, source: str, log: Path) -> Path:
    path.write_text(f"#!{sys.executable}\n" + source.replace("{log!r}", repr(str(log))))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def standin_config(tmp_path: Path, **overrides: object) -> LeanConfig:
    """A LeanConfig whose `lean` and REPL are the stand-ins, logging to tmp_path/log.jsonl."""
    log = tmp_path / "log.jsonl"
    lean = _write(tmp_path / "fake_lean", FAKE_LEAN, log)
    repl = _write(tmp_path / "fake_repl", FAKE_REPL, log)
    values: dict[str, object] = {"executable": str(lean), "repl_command": [str(repl)],
                                 "timeout_s": 20.0, "memory_mb": 1024, "isolate_network": False}
    values.update(overrides)
    return LeanConfig(**values)  # type: ignore[arg-type]


def events(tmp_path: Path, kind: str | None = None) -> list[dict]:
    """The stand-ins' logged events, optionally only one kind."""
    log = tmp_path / "log.jsonl"
    if not log.exists():
        return []
    found = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [e for e in found if kind is None or e["event"] == kind]
