"""The graph's nodes: plan, review, act, evaluate, finish — each writes its trace blocks.

Nodes are methods of `Nodes`, bound to one run's `Runtime`. Side effects that
must not repeat when LangGraph re-enters a node after an interrupt (trace
blocks, commits) happen after the interrupt returns.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from langgraph.types import interrupt

from retrolean.agent.graph.decide import Spent, decide
from retrolean.agent.graph.runtime import Runtime
from retrolean.agent.graph.state import RunState
from retrolean.agent.graph.steering import (
    STOP_WORDS,
    backend_traits,
    edit_plan,
    selection_of,
    steer,
    tell,
)
from retrolean.agent.ledger import with_entry
from retrolean.agent.report import write_run_report
from retrolean.memory.atomic import write_text_atomic
from retrolean.memory.errors import UserError
from retrolean.memory.lessons import Lessons, append_lesson, lessons_for, plan_key
from retrolean.recipes.backends.calls import CallTotals
from retrolean.recipes.plans import stage_problems
from retrolean.recipes.recipe import Recipe, StageSpec
from retrolean.recipes.records import Record
from retrolean.recipes.stages import STAGES
from retrolean.recipes.stages.accounting import running_totals
from retrolean.recipes.stages.context import StageResult
from retrolean.recipes.stages.reasons import summarize_reasons
from retrolean.tools.registry import SaveSetArgs
from retrolean.tools.save_set import load_set, save_set
from retrolean.traces.block_data import (
    EvaluationData,
    OrientationData,
    OutcomeData,
    StageStart,
    StageYield,
)
from retrolean.traces.schema import call_block

APPROVE = {"", "y", "yes", "ok", "okay", "approve", "approved", "go", "run", "lgtm", "sure"}
REJECT = STOP_WORDS


class Nodes:
    """The nodes of one run's graph."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    # -- helpers ---------------------------------------------------------------------------
    def recipe(self, state: RunState) -> Recipe:
        base = self.rt.prepared.recipe
        params = base.parameters.model_copy(update=state.get("overrides") or {})
        return base.model_copy(update={"parameters": params})

    def stages(self, state: RunState) -> list[StageSpec]:
        return [StageSpec.model_validate(s) for s in state["plan"]["stages"]]

    def _write_plan(self, state: RunState, plan: dict[str, Any]) -> None:
        ctx, recipe = self.rt.prepared.ctx, self.recipe(state)
        document = {"goal": state["goal"], **plan, "recipe": recipe.name,
                    "backend": ctx.backend.name, "model": ctx.backend.model,
                    "language": ctx.language, "parameters": recipe.parameters.model_dump(),
                    "domains": selection_of(self.rt, state).model_dump(),
                    "thresholds": recipe.thresholds.model_dump()}
        write_text_atomic(self.rt.run_dir / "plan.json", json.dumps(document, indent=2) + "\n")

    def _plan_key(self, state: RunState) -> str:
        """What fixes the planner's task: goal, recipe and the parameters the run was started
        with (see memory/lessons.py)."""
        recipe = self.rt.prepared.recipe
        return plan_key(state["goal"], recipe.name, recipe.parameters.model_dump(mode="json"))

    def _lessons(self, state: RunState) -> Lessons:
        path = self.rt.lessons_path
        return lessons_for(path, self._plan_key(state)) if path is not None else Lessons()

    def _planner_spent(self, state: RunState) -> list[dict[str, Any]]:
        """The ledger with the planner's calls since it was last asked."""
        spent = self.rt.planner.take_spent() if self.rt.planner is not None else CallTotals()
        return with_entry(state.get("calls"), "plan", spent)

    # -- nodes -----------------------------------------------------------------------------
    def plan(self, state: RunState) -> RunState:
        """Write the stage plan: the model's (validated, repaired) or the recipe's."""
        recipe = self.recipe(state)
        base = {"source": "recipe", "rationale": "the recipe's own stage list",
                "stages": [s.model_dump() for s in self.rt.prepared.plan_stages(recipe)]}
        feedback = state.get("decision", {}).get("reason", "") if state.get("plan") else ""
        plan = base
        lessons = self._lessons(state)
        if self.rt.planner is not None:
            proposed = self.rt.planner(state["goal"], state.get("plan") or base, feedback,
                                       lessons=lessons.text)
            if proposed is None:
                plan = {**base, "source": "recipe (fallback: the model's plan was invalid)"}
            else:
                plan = proposed
            plan = {**plan, "lessons": lessons.summary()}
        reason = (f"Planning for goal {state['goal']!r}. " + (
            "Template backend: no model to plan with, so the plan is the recipe's own stage "
            "list." if self.rt.planner is None else f"Plan source: {plan['source']}; "
            f"{lessons.summary()}.")
            + (f" Replanning because: {feedback}." if feedback else "")
            + f" Stages: {' -> '.join(s['name'] for s in plan['stages'])}.")
        self.rt.trace.write("orientation", reason, data={
            "plan": plan, "lessons": lessons.text[:2000] if lessons.text else None})
        self._write_plan(state, plan)
        self.rt.commit("plan" if not feedback else "replan")
        return {"plan": plan, "approved": False, "status": "planning",
                "replans": state.get("replans", 0) + (1 if feedback else 0),
                "calls": self._planner_spent(state)}

    def review(self, state: RunState) -> RunState:
        """The user approves, edits or rejects the plan (interactive); else approve it."""
        if not self.rt.interactive:
            self.rt.trace.write("orientation", "Plan approved automatically (non-interactive "
                                "run: `retrolean run` never waits for input).")
            return {"approved": True, "status": "running"}
        answer = str(interrupt({"kind": "plan", "plan": state["plan"],
                                "parameters": self.recipe(state).parameters.model_dump(),
                                "domains": selection_of(self.rt, state).describe(
                                    self.rt.prepared.words)}))
        self.rt.trace.write("user", answer or "(approved)")
        word = answer.strip().lower()
        if word in APPROVE:
            return {"approved": True, "status": "running"}
        if word in REJECT:
            self.rt.trace.write("outcome", "The user rejected the plan; nothing was run.",
                                data=OutcomeData(status="rejected"))
            return {"status": "rejected"}
        return self._edit(state, answer)

    def _edit(self, state: RunState, text: str) -> RunState:
        update = edit_plan(self.rt, state, self.recipe(state), text)
        merged = {**state, **update}
        self._write_plan(merged, merged["plan"])
        return update

    def act(self, state: RunState) -> RunState:
        """Run the current stage over its input set; save, commit, observe."""
        started = time.perf_counter()
        stages = self.stages(state)
        i = state.get("stage", 0)
        stage = stages[i]
        attempt = state.get("attempts", {}).get(stage.name, 0)
        recipe = self.recipe(state)
        problems = stage_problems(stages, self.rt.prepared.target)
        if problems:  # a plan saved by an older version, resumed
            raise UserError(f"run {self.rt.run_id}'s plan cannot run: {problems[0]}")
        prepared = self.rt.prepared
        prepared.ctx.backend.use_parameters(recipe.parameters)
        ctx = replace(prepared.ctx, recipe=recipe, attempt=attempt,
                      progress=self.rt.progress.advance,
                      tools=prepared.toolset.toolbox(stage.tools, stage=stage.name,
                                                     trace=self.rt.trace))
        records = self._input(state, stages, i, recipe)
        start = StageStart(name=stage.name, skill=stage.skill, tools=stage.tools,
                           records_in=len(records), attempt=attempt + 1,
                           parameters=state.get("overrides") or {})
        self.rt.trace.write("orientation", f"Stage {stage.name}"
                            + (f", attempt {attempt + 1}" if attempt else "")
                            + f": {len(records)} records in; skill {stage.skill}, tools "
                            f"{', '.join(stage.tools) or 'none'}.", stage=stage.name,
                            data=OrientationData(stage=start))
        if stage.expectation:
            self.rt.trace.write("expectation", stage.expectation, stage=stage.name,
                                data={"min_yield": stage.min_yield})
        self.rt.progress.start(stage.name, len(records))
        t0 = time.perf_counter()
        result = STAGES[stage.name].run(records, ctx) if records else None
        seconds = time.perf_counter() - t0
        self.rt.progress.finish(stage.name)
        for call in ctx.backend.drain_calls():  # any a stage made outside its tool calls
            self.rt.trace.add(call_block(call, stage.name))
        row = self._save(stage.name, len(records), result, seconds)
        self.rt.commit(f"{stage.name} ({row.summary()})")
        spent = CallTotals.from_figures(row.figures.get("model_calls", {}))
        return {"calls": with_entry(state.get("calls"), stage.name, spent, attempt + 1),
                "rows": {**(state.get("rows") or {}), stage.name: row.model_dump(mode="json")},
                "attempts": {**(state.get("attempts") or {}), stage.name: attempt + 1},
                "spent_seconds": state.get("spent_seconds", 0.0) + time.perf_counter() - started}

    def _save(self, stage: str, records_in: int, result: StageResult | None,
              seconds: float) -> StageYield:
        """The stage's sets written by the agent's own save_set call; its yield observed."""
        accepted = result.accepted if result else []
        rejected = result.rejected if result else []
        saver = self.rt.prepared.toolset.toolbox(["save_set"], stage=stage, trace=self.rt.trace)
        with saver.call("save_set", SaveSetArgs(name=stage, accepted=len(accepted),
                                                rejected=len(rejected)),
                        f"Save the {stage} sets.") as batch:
            paths = save_set(self.rt.run_dir / "sets", stage, accepted, rejected)
            kinds = Counter(r.reject.kind if r.reject else "unknown" for r in rejected)
            reasons = {kind: summarize_reasons([r.reject.reason for r in rejected
                                                if r.reject and r.reject.kind == kind])
                       for kind in kinds}
            row = StageYield(stage=stage, records_in=records_in, records_out=len(accepted),
                             rejected=len(rejected), seconds=round(seconds, 3),
                             set_path=str(paths["accepted"].relative_to(self.rt.run_dir)),
                             rejects_path=str(paths["rejected"].relative_to(self.rt.run_dir))
                             if "rejected" in paths else None,
                             reasons=dict(kinds.most_common()), examples=reasons,
                             figures=result.figures if result else {})
            batch.observe(f"{stage}: {row.summary()}.", stage_yield=row)
        return row

    def _input(self, state: RunState, stages: list[StageSpec], i: int,
               recipe: Recipe) -> list[Record]:
        if i == 0:
            return self.rt.prepared.sample(recipe, selection_of(self.rt, state))
        path = self.rt.run_dir / "sets" / f"{stages[i - 1].name}.jsonl"
        return [Record.model_validate(r) for r in load_set(path)] if path.exists() else []

    def evaluate(self, state: RunState) -> RunState:
        """Compare the stage's yield with its expectation and decide what comes next."""
        stages = self.stages(state)
        i = state.get("stage", 0)
        stage = stages[i]
        row = state["rows"][stage.name]
        attempt = state["attempts"][stage.name] - 1
        recipe = self.recipe(state)
        decision = decide(stage, row["records_in"], row["records_out"], attempt,
                          recipe.parameters, self.rt.budget, self._spent(state),
                          is_last=i == len(stages) - 1, backend=backend_traits(self.rt),
                          can_replan=self.rt.planner is not None and state.get("replans", 0) < 1)
        if decision.action == "continue" and self.rt.interactive:
            answer = str(interrupt({"kind": "between", "done": stage.name,
                                    "next": stages[i + 1].name, "row": row,
                                    "decision": decision.model_dump()}))
            decision, steered = steer(self.rt, state, recipe, decision, answer,
                                      [s.name for s in stages[:i + 1]])
        else:
            steered = {}
            if decision.action in ("retry", "replan", "stop") or "below" in decision.reason:
                tell(self.rt, [f"{stage.name}: {decision.reason}"])
        observed = row["records_out"] / row["records_in"] if row["records_in"] else 0.0
        self.rt.trace.write("evaluation", f"{stage.name}: {decision.reason}. Decision: "
                            f"{decision.action}.", stage=stage.name,
                            data=EvaluationData(decision=decision, observed=round(observed, 4),
                                                expected=stage.min_yield))
        update: RunState = {"decision": decision.model_dump(), **steered}
        if decision.action in ("continue", "finish"):
            update["stage"] = i + 1
            if decision.changes:  # the user steered between stages
                update["overrides"] = {**(state.get("overrides") or {}), **decision.changes}
        elif decision.action == "retry":
            update["stage"] = next(j for j, s in enumerate(stages) if s.name ==
                                   decision.retry_from)
            update["overrides"] = {**(state.get("overrides") or {}), **decision.changes}
        elif decision.action == "replan":
            update["status"] = "replanning"
        else:
            update["status"] = "stopped"
        if "overrides" in update or "plan" in update:  # plan.json shows what is in force
            self._write_plan({**state, **update}, update.get("plan", state["plan"]))
        return update

    def _spent(self, state: RunState) -> Spent:
        """Time from the state; model calls and tokens from the backend's running totals."""
        t = running_totals(self.rt.prepared.ctx.backend)
        return Spent(seconds=state.get("spent_seconds", 0.0),
                     model_calls=t.calls - t.cache_hits,  # a cached answer costs nothing
                     tokens=t.tokens_in + t.tokens_out)

    def finish(self, state: RunState) -> RunState:
        """Write the report and the run's lessons; commit."""
        status = state.get("status", "running")
        status = "finished" if status in ("running", "planning") else status
        order = [s["name"] for s in state.get("plan", {}).get("stages", [])]
        rows = [StageYield.model_validate(state["rows"][name]) for name in order
                if name in (state.get("rows") or {})]
        recipe = self.recipe(state)
        ctx = replace(self.rt.prepared.ctx, recipe=recipe)
        seconds = state.get("spent_seconds", 0.0)
        if rows:
            write_run_report(self.rt.run_dir / "report.md", state["goal"], recipe, ctx, rows,
                             seconds, calls=state.get("calls"))
        final = rows[-1].records_out if rows and len(rows) == len(order) else 0
        self._append_lessons(state, status, rows)
        self.rt.trace.write("outcome", f"Run {status}: {final} of {recipe.parameters.n} "
                            f"problems made it through every stage in {seconds:.1f} s.",
                            data=OutcomeData(status=status, final=final,
                                             sampled=recipe.parameters.n,
                                             yields={r.stage: r.yield_frac for r in rows}))
        self.rt.commit(f"{status} (report)")
        return {"status": status}

    def _append_lessons(self, state: RunState, status: str, rows: list[StageYield]) -> None:
        path = self.rt.lessons_path
        if path is None:
            return
        ctx, recipe = self.rt.prepared.ctx, self.recipe(state)
        retried = {k: v for k, v in (state.get("attempts") or {}).items() if v > 1}
        lines = [f"- goal: {state['goal']}; backend {ctx.backend.name}, {ctx.language}, "
                 f"k = {recipe.parameters.k}, n = {recipe.parameters.n}",
                 "- yields: " + ", ".join(f"{r.stage} {r.yield_pct:.0f}%" for r in rows)]
        if retried:
            lines.append(f"- retried: {retried}; parameters that ended in force: "
                         f"{state.get('overrides')}")
        t = recipe.thresholds
        lines.append(f"- thresholds: round trip {t.roundtrip_similarity}, missing "
                     f"{t.missing_similarity}")
        append_lesson(path, f"{datetime.now(UTC):%Y-%m-%d %H:%M} {self.rt.run_id} ({status})",
                      self._plan_key(state), lines)

