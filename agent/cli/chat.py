"""`retrolean chat`: the agent in a terminal conversation.

The user gives a goal; what the goal says about domains ("…mostly about music
and knitting") is read and shown. The agent proposes its plan and waits. The
user approves ("yes"), edits in plain words ("fewer domains, more lazy-guy
personas", "n=20", "use only music and knitting domains") or rejects ("no").
Every edit is answered on screen: one line per change applied, one per thing
not understood or not applied, with the reason. Between stages the agent
pauses for steering: Enter continues, words steer (each change confirmed, or
why it cannot apply now), "stop" ends the run cleanly — `chat --resume RUN`
goes on from the next stage. Every user message joins the trace. End of input
(Ctrl-D) counts as "stop"; Ctrl-C leaves with the resume command on screen.
Exit codes as for `run`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from retrolean.agent.cli.run import console, drive_on_screen, report, say

Ask = Callable[[str], str]


def plan_table(payload: dict[str, Any]) -> Table:
    """The proposed plan as a table: stage, skill, tools, expectation."""
    plan = payload["plan"]
    table = Table(title=f"proposed plan ({plan.get('source', 'recipe')})")
    for col in ("#", "stage", "skill", "tools", "expectation"):
        table.add_column(col)
    for i, s in enumerate(plan["stages"], 1):
        table.add_row(str(i), s["name"], s["skill"], ", ".join(s.get("tools", [])),
                      s.get("expectation", ""))
    return table


def answerer(ask: Ask) -> Callable[[dict[str, Any]], str]:
    """Turn the graph's questions into prompts for the user."""

    def answer(payload: dict[str, Any]) -> str:
        if payload["kind"] == "plan":
            p = payload["parameters"]
            console.print(plan_table(payload))
            weights = f", persona weights = {p['persona_weights']}" if p["persona_weights"] else ""
            console.print(f"n = {p['n']}, k = {p['k']}, seed = {p['seed']}, personas/problem = "
                          f"{p['personas_per_problem']}, frame-shift rate = "
                          f"{p['frame_shift_rate']}{weights}")
            if payload.get("domains"):
                console.print(f"domains: {escape(payload['domains'])}")
            return ask(escape("approve? [yes / no / your edits] "))
        row, decision = payload["row"], payload["decision"]
        console.print(f"[bold]{payload['done']}[/]: {row['records_in']} -> "
                      f"{row['records_out']}; {escape(decision['reason'])}")
        return ask(f"next: {payload['next']} — Enter to continue, words to steer, "
                   f"'stop' to end: ")

    return answer


def ask_terminal(prompt: str) -> str:
    """Read one line from the terminal; end of input means stop."""
    try:
        return console.input(prompt)
    except EOFError:
        return "stop"


def register(app: typer.Typer) -> None:
    @app.command()
    def chat(
        goal: Annotated[str | None, typer.Argument(help="the goal; asked for if omitted")
                        ] = None,
        n: Annotated[int | None, typer.Option("--n", help="problems to sample")] = None,
        seed: Annotated[int | None, typer.Option(help="random seed")] = None,
        k: Annotated[int | None, typer.Option("--k", help="domains per problem")] = None,
        domains: Annotated[str | None, typer.Option(
            help="comma-separated domain ids to sample from (replaces what the goal says "
                 "about domains)")] = None,
        workspace: Annotated[Path | None, typer.Option(help="workspace git repository")] = None,
        formal: Annotated[str | None, typer.Option(help="auto | smtlib2 | lean4")] = None,
        resume_ref: Annotated[str | None, typer.Option(
            "--resume", help="continue this run's conversation (id, unique part, latest)")
                              ] = None,
    ) -> None:
        """Plan with the agent interactively, approve or edit the plan, steer between stages."""
        from retrolean.agent.pipeline import RunOptions, prepare
        from retrolean.agent.runner import resume, start
        from retrolean.agent.settings import load_settings

        settings = load_settings(workspace=workspace, formal=formal, n=n, seed=seed, k=k,
                                 domains=domains)
        if resume_ref:
            session = resume(settings, resume_ref, interactive=True)
            console.print(f"retrolean: resuming {session.run_id}")
        else:
            goal = goal or ask_terminal("goal: ").strip()
            if not goal or goal == "stop":
                console.print("no goal given; nothing to do")
                raise typer.Exit(0)
            options = RunOptions(goal=goal, n=settings.n, seed=settings.seed, k=settings.k,
                                 domains=settings.domain_list)
            prepared = prepare(settings, options)
            console.print(f"retrolean: {prepared.ctx.backend.name} backend, "
                          f"{prepared.ctx.language}, {len(prepared.records)} problems")
            for note in prepared.notes:
                say(note)
            session = start(settings, options, interactive=True, prepared=prepared)
            session.runtime.trace.write("user", goal)
        state = drive_on_screen(session, answerer(ask_terminal), command="chat")
        code = report(session, state, command="chat")
        if code:
            raise typer.Exit(code)
