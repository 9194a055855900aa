"""`retrolean chat`: the agent in a terminal conversation.

The user gives a goal; the agent proposes its plan and waits. The user
approves ("yes"), edits in plain words ("fewer domains, more lazy-guy
personas", "n=20") or rejects ("no"). Between stages the agent pauses for
steering: Enter continues, words steer, "stop" ends the run cleanly. Every
user message joins the trace. End of input (Ctrl-D) counts as "stop".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from retrolean.agent.cli.run import StageBars, console, report

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
            return ask(escape("approve? [yes / no / your edits] "))
        row, decision = payload["row"], payload["decision"]
        console.print(f"[bold]{payload['done']}[/]: {row['records_in']} -> "
                      f"{row['records_out']}; {decision['reason']}")
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
        workspace: Annotated[Path | None, typer.Option(help="workspace git repository")] = None,
        formal: Annotated[str | None, typer.Option(help="auto | smtlib2 | lean4")] = None,
        resume_id: Annotated[str | None, typer.Option(
            "--resume", help="continue this run's conversation")] = None,
    ) -> None:
        """Plan with the agent interactively, approve or edit the plan, steer between stages."""
        from retrolean.agent.pipeline import RunOptions, prepare
        from retrolean.agent.runner import drive, resume, start
        from retrolean.agent.settings import load_settings

        settings = load_settings(workspace=workspace, formal=formal)
        if resume_id:
            session = resume(settings, resume_id, interactive=True)
        else:
            goal = goal or ask_terminal("goal: ").strip()
            if not goal or goal == "stop":
                console.print("no goal given; nothing to do")
                raise typer.Exit(0)
            options = RunOptions(goal=goal, n=n, seed=seed)
            prepared = prepare(settings, options)
            console.print(f"retrolean: {prepared.ctx.backend.name} backend, "
                          f"{prepared.ctx.language}, {len(prepared.records)} problems")
            session = start(settings, options, interactive=True, prepared=prepared)
            session.runtime.trace.write("user", goal)
        session.runtime.progress = StageBars()
        try:
            state = drive(session, answerer(ask_terminal))
        finally:
            session.close()
        report(session, state)
