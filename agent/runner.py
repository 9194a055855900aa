"""Start, resume and drive runs of the agent graph.

A run is one LangGraph thread (thread id = run id) checkpointed in the
workspace's `checkpoints.sqlite` (ignored by the workspace's git). `run.json`
in the run directory keeps what is needed to rebuild the run's context, so
`--resume RUN` continues after a kill at any point: the interrupted node
runs again from its checkpoint, stage inputs come from the saved sets, and
the template backend (and the model cache) make the redone work identical.
A run that stopped cleanly — the user's `stop`, a spent budget — goes on from
the stage after the last one it ran; one that stopped because a stage kept
nothing cannot, and `resumable` says so and what to do instead. RUN is
whatever the review commands take: the id, a unique part of it, `latest`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from retrolean.agent.graph.decide import Budget
from retrolean.agent.graph.graph import build_graph
from retrolean.agent.graph.planner import ModelPlanner
from retrolean.agent.graph.runtime import NoProgress, Planner, Progress, Runtime
from retrolean.agent.graph.state import RunState
from retrolean.agent.pipeline import PreparedRun, RunOptions, prepare
from retrolean.agent.settings import Settings
from retrolean.memory.atomic import write_text_atomic
from retrolean.memory.errors import UserError
from retrolean.memory.runs import resolve_run
from retrolean.recipes.backends.model import ModelBackend
from retrolean.traces.schema import TraceHeader
from retrolean.traces.writer import JsonlSink, TraceSink, TraceWriter, read_trace

CHECKPOINTS = "checkpoints.sqlite"
Respond = Callable[[dict[str, Any]], str]  # the user's answer to the graph's question
# what a resumed run must rebuild exactly as it was
REPLAYED_SETTINGS = ("recipe", "formal", "catalog", "embedding_model", "model", "base_url",
                     "z3_timeout_ms")


@dataclass
class Session:
    """A run's graph, its thread config and runtime."""

    graph: CompiledStateGraph
    config: dict[str, Any]
    runtime: Runtime
    conn: sqlite3.Connection
    initial: RunState | None

    @property
    def run_id(self) -> str:
        return self.runtime.run_id

    def close(self) -> None:
        self.conn.close()


def budget_of(settings: Settings) -> Budget:
    """The run budget from settings."""
    return Budget(seconds=settings.budget_seconds, model_calls=settings.budget_model_calls,
                  tokens=settings.budget_tokens, max_attempts=settings.max_stage_attempts)


def _session(prepared: PreparedRun, settings: Settings, run_id: str, trace: TraceWriter,
             interactive: bool, progress: Progress | None, planner: Planner | None,
             initial: RunState | None) -> Session:
    workspace = prepared.workspace
    rt = Runtime(prepared=prepared, run_id=run_id, run_dir=workspace.run_dir(run_id),
                 trace=trace, budget=budget_of(settings), interactive=interactive,
                 progress=progress or NoProgress(), planner=planner,
                 lessons_path=workspace.root / "lessons.md")
    backend = prepared.ctx.backend
    if isinstance(backend, ModelBackend):
        backend.open_cache()  # before planning: the planner's calls are cached like a skill's
    if planner is None and backend.client is not None:  # the template plans by the recipe
        rt.planner = ModelPlanner(backend.client, prepared.target, trace,
                                  use_cache=settings.use_cache,
                                  personas=sorted(prepared.ctx.personas))
    conn = sqlite3.connect(workspace.root / CHECKPOINTS, check_same_thread=False)
    graph = build_graph(rt, SqliteSaver(conn))
    return Session(graph, {"configurable": {"thread_id": run_id}}, rt, conn, initial)


def start(settings: Settings, options: RunOptions, *, interactive: bool = False,
          progress: Progress | None = None, sinks: list[TraceSink] | None = None,
          planner: Planner | None = None, prepared: PreparedRun | None = None) -> Session:
    """Create a new run (validated first: bad input writes nothing) and its graph."""
    prepared = prepared or prepare(settings, options)
    workspace = prepared.workspace
    run_id = workspace.new_run_id(prepared.recipe.name)
    run_dir = workspace.create_run(run_id)
    snapshot = {"options": asdict(options),
                "settings": settings.model_dump(mode="json", include=set(REPLAYED_SETTINGS))}
    write_text_atomic(run_dir / "run.json", json.dumps(snapshot, indent=2) + "\n")
    header = TraceHeader(run_id=run_id, goal=options.goal)
    trace = TraceWriter([JsonlSink(run_dir / "trace.jsonl", header), *(sinks or [])])
    initial: RunState = {"goal": options.goal, "status": "planning", "stage": 0, "attempts": {},
                         "overrides": {}, "rows": {}, "replans": 0, "spent_seconds": 0.0}
    return _session(prepared, settings, run_id, trace, interactive, progress, planner, initial)


@dataclass
class Resumable:
    """Whether a run's last checkpoint can go on, why (one line), and from which stage a run
    that stopped cleanly goes on (None: the interrupted step itself runs again)."""

    ok: bool
    why: str
    stage: int | None = None
    after: str | None = None  # the last stage a stopped run ran
    next: str | None = None  # the stage it goes on from


def resumable(values: dict[str, Any]) -> Resumable:
    """What `--resume` can do with a run whose checkpointed state is `values`."""
    status = values.get("status")
    if not values:
        return Resumable(False, "it stopped before its first step was saved; start it again")
    if status == "rejected":
        return Resumable(False, "its plan was rejected, so nothing ran; start a new run")
    if status == "finished":
        return Resumable(False, "it finished (every stage ran); `retrolean runs show` and "
                         "`retrolean sets show` show what it made")
    if status != "stopped":
        return Resumable(True, "it was interrupted; the interrupted step runs again")
    stages = [s["name"] for s in values.get("plan", {}).get("stages", [])]
    i = values.get("stage", 0)
    row = (values.get("rows") or {}).get(stages[i]) if i < len(stages) else None
    why = (values.get("decision") or {}).get("reason", "it was stopped")
    if row is None:
        return Resumable(True, why, i, next=stages[i])
    if row["records_out"] == 0:
        return Resumable(False, f"stage {stages[i]} kept 0 of {row['records_in']} records, so "
                         "no later stage has anything to work on; start a new run with other "
                         "parameters (a larger --n, another --seed, a lower --k, other "
                         "--domains; in chat, edit the plan)")
    if i + 1 >= len(stages):
        return Resumable(False, "every stage ran")
    return Resumable(True, why, i + 1, after=stages[i], next=stages[i + 1])


def resume(settings: Settings, run_ref: str, *, interactive: bool = False,
           progress: Progress | None = None, sinks: list[TraceSink] | None = None,
           planner: Planner | None = None) -> Session:
    """Reopen a run that was stopped or killed, to continue from its last checkpoint."""
    from retrolean.memory.workspace import Workspace

    workspace = Workspace(settings.workspace)
    run_id = resolve_run(workspace, run_ref)
    run_dir = workspace.run_dir(run_id)
    if not (run_dir / "run.json").exists():
        raise UserError(f"run {run_id} cannot be resumed: it has no run.json (it was made by "
                        "another version, or by `eval fresh-set` before it was recorded)")
    snapshot = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    replayed = settings.model_copy(update={k: v for k, v in snapshot["settings"].items()
                                           if k in REPLAYED_SETTINGS})
    options = RunOptions(**snapshot["options"])
    prepared = prepare(replayed, options)
    _, blocks = read_trace(run_dir / "trace.jsonl")
    header = TraceHeader(run_id=run_id, goal=options.goal)
    trace = TraceWriter([JsonlSink(run_dir / "trace.jsonl", header), *(sinks or [])],
                        start_index=len(blocks))
    session = _session(prepared, replayed, run_id, trace, interactive, progress, planner, None)
    state = session.graph.get_state(session.config)
    verdict = resumable(state.values or {})
    if not verdict.ok:
        session.close()
        raise UserError(f"run {run_id} cannot be resumed: {verdict.why}")
    if verdict.stage is not None:  # stopped cleanly: go on with the next stage
        session.graph.update_state(session.config, {"status": "running",
                                                    "stage": verdict.stage}, as_node="evaluate")
        state = session.graph.get_state(session.config)
    where = ", ".join(state.next) or "the step after the last one saved"
    went_on = f" (it had stopped: {verdict.why}; going on from {verdict.next})" \
        if verdict.next else ""
    trace.write("task-reminder", f"Resumed run {run_id} at {where}{went_on}; the interrupted "
                "step runs again from its checkpoint.",
                data={"next": list(state.next)})
    return session


def drive(session: Session, answer: Respond | None = None) -> RunState:
    """Run the graph to its end, answering interrupts (plan review, steering) with `answer`."""
    # durability="sync": each step's checkpoint is on disk before the next step starts, so a
    # kill at any point resumes from the step that was running (LangGraph's default writes
    # checkpoints in the background, and a kill can lose the last one).
    try:
        result = session.graph.invoke(session.initial, session.config, durability="sync")
        session.initial = None
        while "__interrupt__" in result:
            if answer is None:
                raise RuntimeError("the graph asked for input in a non-interactive run")
            payload = result["__interrupt__"][0].value
            result = session.graph.invoke(Command(resume=answer(payload)), session.config,
                                          durability="sync")
    except (Exception, KeyboardInterrupt) as e:  # leave a note in the trace, then let it go
        what = "interrupted" if isinstance(e, KeyboardInterrupt) else f"{type(e).__name__}: {e}"
        session.runtime.trace.write("error", f"Run stopped ({what}); continue with "
                                    f"`retrolean run --resume {session.run_id}`.")
        raise
    return result
