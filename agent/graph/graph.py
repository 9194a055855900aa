"""The graph, read top to bottom: nodes, then edges, then compile.

    plan → review ─┬─ approved ─→ act → evaluate ─┬─ continue/retry ─→ act
                   ├─ edited ───→ review          ├─ replan ─────────→ plan
                   └─ rejected ─→ finish          └─ stop / all done ─→ finish
"""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from retrolean.agent.graph.nodes import Nodes
from retrolean.agent.graph.runtime import Runtime
from retrolean.agent.graph.state import RunState


def after_review(state: RunState) -> str:
    if state.get("status") == "rejected":
        return "finish"
    return "act" if state.get("approved") else "review"


def after_evaluate(state: RunState) -> str:
    status = state.get("status")
    if status == "stopped":
        return "finish"
    if status == "replanning":
        return "plan"
    return "act" if state.get("stage", 0) < len(state["plan"]["stages"]) else "finish"


def build_graph(rt: Runtime, checkpointer: BaseCheckpointSaver | None) -> CompiledStateGraph:
    """The run's graph, compiled with a checkpointer so it can resume."""
    nodes = Nodes(rt)
    graph = StateGraph(RunState)
    graph.add_node("plan", nodes.plan)
    graph.add_node("review", nodes.review)
    graph.add_node("act", nodes.act)
    graph.add_node("evaluate", nodes.evaluate)
    graph.add_node("finish", nodes.finish)

    graph.add_edge(START, "plan")
    graph.add_edge("plan", "review")
    graph.add_conditional_edges("review", after_review, ["act", "review", "finish"])
    graph.add_edge("act", "evaluate")
    graph.add_conditional_edges("evaluate", after_evaluate, ["act", "plan", "finish"])
    graph.add_edge("finish", END)
    return graph.compile(checkpointer=checkpointer)
