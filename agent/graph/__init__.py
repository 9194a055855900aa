"""The agent as a LangGraph graph: plan → review → act → evaluate → (act | plan | finish)."""
