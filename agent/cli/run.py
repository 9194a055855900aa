"""`retrolean run GOAL`: the agent, non-interactive — the plan is approved automatically.

`--resume RUN` continues a run that was stopped or killed (RUN as the review
commands take it: the id, a unique part, `latest`). Progress is a bar per
stage; what the agent tells the user (domains read from the goal, a retry and
what it changes, why it stopped) appears between the bars; a summary table
closes the run, then one line that says where the data is, or why there is
none and what can be done. Exit codes: 0 the run made final records; 3 it
ended without any (stopped, its last stage kept none, or the plan was
rejected); 2 bad input; 130 interrupted (Ctrl-C), with the resume command on
screen. Heavy imports wait inside the command, so `retrolean --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from retrolean.memory.errors import UserError

if TYPE_CHECKING:
    from retrolean.agent.runner import Session

console = Console(stderr=True)
NO_DATA = 3  # exit code: the run ended without final records
INTERRUPTED = 130


class StageBars:
    """One progress bar per stage, live only while the stage runs (so prompts stay clean)."""

    def __init__(self) -> None:
        self.progress: Any = None
        self.task: Any = None

    def start(self, stage: str, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(TextColumn("{task.description:>14}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=console)
        self.progress.start()
        self.task = self.progress.add_task(stage, total=max(total, 1))
        if total == 0:
            self.progress.update(self.task, completed=1)

    def advance(self, n: int) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task, n)

    def finish(self, stage: str) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[self.task].total)
        self.stop()

    def stop(self) -> None:
        """Take the bar off the screen (after a stage, or when the run is interrupted)."""
        if self.progress is not None:
            self.progress.stop()
        self.progress = None


def say(line: str) -> None:
    """A line the agent tells the user, marked by what it is."""
    text = escape(line)
    for head, style in (("applied:", "green"), ("not applied:", "yellow"),
                        ("not understood:", "yellow"), ("left to the planner:", "cyan")):
        if line.startswith(head):
            text = f"[{style}]{escape(head)}[/]{escape(line[len(head):])}"
    console.print(f"  {text}", highlight=False)


def summary_table(session: Session, state: dict[str, Any]) -> Table:
    """Records in/out per stage, and the files under the run's sets/ that hold them (a stage's
    rejects on the line under its set, so the table fits 80 columns)."""
    ctx = session.runtime.prepared.ctx
    table = Table(title=f"run {session.run_id}  ({ctx.backend.name} backend, {ctx.language}) "
                        f"— {state.get('status', '?')}",
                  caption=f"files in {session.runtime.run_dir / 'sets'}")
    table.add_column("stage", no_wrap=True)
    for col in ("in", "out", "rejected", "tries"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("set, rejects", overflow="fold")
    attempts = state.get("attempts") or {}
    for stage in state.get("plan", {}).get("stages", []):
        row = (state.get("rows") or {}).get(stage["name"])
        if row is None:
            table.add_row(stage["name"], "", "", "", "0", "—")
            continue
        files = Path(row["set_path"]).name + (f"\n{Path(row['rejects_path']).name}"
                                              if row["rejects_path"] else "")
        table.add_row(row["stage"], str(row["records_in"]), str(row["records_out"]),
                      str(row["rejected"]), str(attempts.get(row["stage"], 1)), files)
    return table


def final_records(state: dict[str, Any]) -> int:
    """Records the last stage of the plan kept (0 when it did not run)."""
    stages = state.get("plan", {}).get("stages", [])
    row = (state.get("rows") or {}).get(stages[-1]["name"]) if stages else None
    return row["records_out"] if row else 0


def report(session: Session, state: dict[str, Any], command: str = "run") -> int:
    """Print the summary table and one line on where the data is or why there is none;
    return the exit code (0 with final records, else NO_DATA)."""
    from retrolean.agent.runner import resumable
    from retrolean.memory.runs import short_ref

    run_dir = session.runtime.run_dir
    status = state.get("status", "?")
    if status != "rejected":
        console.print(summary_table(session, state))
    plan = state.get("plan") or {}
    if plan.get("lessons"):
        console.print(f"plan: {plan.get('source', '?')}; {plan['lessons']}")
    final = final_records(state)
    if status == "finished" and final:
        last = state["plan"]["stages"][-1]["name"]
        console.print(f"run finished: {final} final record{'s' if final > 1 else ''} in "
                      f"[bold]{run_dir / 'sets' / f'{last}.jsonl'}[/] (committed; report "
                      f"{run_dir / 'report.md'})", soft_wrap=True)
        return 0
    if status == "rejected":
        console.print("plan rejected: nothing ran, no data made.")
        return NO_DATA
    if status == "finished":
        last = state["plan"]["stages"][-1]["name"]
        console.print(f"run finished with no final records: its last stage, {last}, kept "
                      f"none. Report: {run_dir / 'report.md'}", soft_wrap=True, highlight=False)
        return NO_DATA
    verdict = resumable(state)
    ref = short_ref(session.runtime.workspace, session.run_id)
    why = verdict.why.removeprefix("stopping: ")
    if verdict.ok:
        budget = " (raise the budget with --budget-seconds, --budget-calls or --budget-tokens)" \
            if "budget" in why else ""
        after = f" after {verdict.after}" if verdict.after else ""
        console.print(f"run {status}{after} ({escape(why)}), no final records yet; go on from "
                      f"{verdict.next} with [bold]retrolean {command} --resume {ref}[/]{budget}",
                      soft_wrap=True, highlight=False)
    else:
        console.print(f"run {status} with no final records: {escape(why)}. Report: "
                      f"{run_dir / 'report.md'}", soft_wrap=True, highlight=False)
    return NO_DATA


def drive_on_screen(session: Session, answer: Callable[[dict[str, Any]], str] | None = None,
                    command: str = "run") -> dict[str, Any]:
    """Drive the run with bars and the agent's lines on screen; on Ctrl-C or a crash, say how
    to resume before leaving (exit 130 for Ctrl-C; a crash stays a traceback)."""
    from retrolean.agent.runner import drive
    from retrolean.memory.runs import short_ref

    bars = StageBars()
    session.runtime.progress = bars
    session.runtime.notify = say
    try:
        return dict(drive(session, answer))
    except KeyboardInterrupt:
        bars.stop()
        ref = short_ref(session.runtime.workspace, session.run_id)
        console.print(f"\ninterrupted: run {session.run_id} is saved; go on with "
                      f"[bold]retrolean {command} --resume {ref}[/]", soft_wrap=True)
        raise typer.Exit(INTERRUPTED) from None
    except UserError:
        bars.stop()
        raise
    except Exception as e:
        bars.stop()
        ref = short_ref(session.runtime.workspace, session.run_id)
        console.print(f"run {session.run_id} stopped by an error ({type(e).__name__}); its "
                      f"steps so far are saved: once the cause is fixed, go on with "
                      f"retrolean {command} --resume {ref}", soft_wrap=True, markup=False)
        raise
    finally:
        session.close()


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        goal: Annotated[str | None, typer.Argument(help="what the data is for, in plain words")
                        ] = None,
        n: Annotated[int | None, typer.Option("--n", help="problems to sample")] = None,
        seed: Annotated[int | None, typer.Option(help="random seed")] = None,
        k: Annotated[int | None, typer.Option("--k", help="domains per problem")] = None,
        recipe: Annotated[str | None, typer.Option(help="recipe name or YAML path")] = None,
        workspace: Annotated[Path | None, typer.Option(help="workspace git repository")] = None,
        formal: Annotated[str | None, typer.Option(help="auto | smtlib2 | lean4")] = None,
        domains: Annotated[str | None, typer.Option(
            help="comma-separated domain ids to sample from (replaces what the goal says "
                 "about domains)")] = None,
        embedding_model: Annotated[str | None, typer.Option(
            help="sentence-transformers model name or path")] = None,
        catalog: Annotated[Path | None, typer.Option(
            help="directory overriding catalog files (domains/, personas.yaml, …)")] = None,
        budget_seconds: Annotated[float | None, typer.Option(
            help="stop cleanly (with a report) after this many seconds")] = None,
        budget_calls: Annotated[int | None, typer.Option(
            help="stop cleanly after this many (uncached) model calls")] = None,
        budget_tokens: Annotated[int | None, typer.Option(
            help="stop cleanly after this many model tokens")] = None,
        max_stage_attempts: Annotated[int | None, typer.Option(
            help="attempts per stage before moving on")] = None,
        resume_ref: Annotated[str | None, typer.Option(
            "--resume", help="continue this run (id, unique part of one, or latest) after a "
                             "stop or crash")] = None,
        model: Annotated[str | None, typer.Option(
            help="model name on the endpoint (or OPENAI_MODEL); with --base-url, every skill "
                 "runs through the model instead of the template backend")] = None,
        base_url: Annotated[str | None, typer.Option(
            help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 "
                 "(or OPENAI_BASE_URL)")] = None,
        no_cache: Annotated[bool, typer.Option(
            "--no-cache", help="call the model for every answer, neither reading nor writing "
                               "the workspace's model cache")] = False,
        concurrency: Annotated[int | None, typer.Option(
            help="model calls in flight at most (default 16)")] = None,
        executor: Annotated[str | None, typer.Option(
            help="local (this process, the default) | ray (a Ray cluster; "
                 "pip install 'retrolean\\[ray]')")] = None,
        ray_address: Annotated[str | None, typer.Option(
            help="Ray cluster to join (default: start a local Ray)")] = None,
        shard_size: Annotated[int | None, typer.Option(
            help="records per shard; a run of more problems writes sets in shards "
                 "(default 1000)")] = None,
        batch_size: Annotated[int | None, typer.Option(
            help="records per batch (default: a shard locally, 50 on Ray)")] = None,
        ray_workers: Annotated[int | None, typer.Option(
            help="Ray stage workers (default: the cluster's spare CPUs)")] = None,
        ray_checkers: Annotated[int | None, typer.Option(
            help="Ray checker actors (default: one per 8 CPUs)")] = None,
        ray_checker_cpus: Annotated[float | None, typer.Option(
            help="CPUs per Ray checker actor (default 0.5; Lean with Mathlib: its REPL "
                 "pool's cores)")] = None,
        ray_embedders: Annotated[int | None, typer.Option(
            help="Ray embedding actors (default: one per GPU, else one)")] = None,
    ) -> None:
        """Run the agent toward GOAL (plan approved automatically) and write a new run."""
        from retrolean.agent.pipeline import RunOptions, prepare
        from retrolean.agent.runner import resume, start
        from retrolean.agent.settings import load_settings

        settings = load_settings(recipe=recipe, workspace=workspace, formal=formal,
                                 embedding_model=embedding_model, catalog=catalog,
                                 budget_seconds=budget_seconds, budget_model_calls=budget_calls,
                                 budget_tokens=budget_tokens, n=n, seed=seed, k=k,
                                 domains=domains, max_stage_attempts=max_stage_attempts,
                                 model=model, base_url=base_url, concurrency=concurrency,
                                 use_cache=False if no_cache else None, executor=executor,
                                 ray_address=ray_address, shard_size=shard_size,
                                 batch_size=batch_size, ray_workers=ray_workers,
                                 ray_checkers=ray_checkers, ray_checker_cpus=ray_checker_cpus,
                                 ray_embedders=ray_embedders)
        if resume_ref:
            session = resume(settings, resume_ref)
            console.print(f"retrolean: resuming {session.run_id}")
        else:
            if not goal:
                raise UserError("give a GOAL (e.g. retrolean run \"make R1 easier to prompt\") "
                                "or --resume RUN")
            options = RunOptions(goal=goal, n=settings.n, seed=settings.seed, k=settings.k,
                                 domains=settings.domain_list)
            prepared = prepare(settings, options)  # every user error surfaces before output
            console.print(f"retrolean: {prepared.ctx.backend.name} backend"
                          + (f" ({prepared.ctx.backend.model})" if prepared.ctx.backend.model
                             else "")
                          + f", {prepared.ctx.language} ({prepared.why_language}), "
                          f"{len(prepared.records)} problems")
            for note in prepared.notes:
                say(note)
            session = start(settings, options, prepared=prepared)
        state = drive_on_screen(session)
        code = report(session, state)
        if code:
            raise typer.Exit(code)
