"""Evaluations: how good a generated set is, fresh test sets, and model benchmarks.

`report` measures one run's sets (yields, similarities, coverage, persona
distinctness, near-duplicates, lengths) and writes `eval/report.html`,
`eval/eval.json` and PNG plots; `fresh` makes a new set disjoint from an
earlier one; `model_bench` scores a model endpoint on a set; `compare` puts
two reports side by side. The CLI (`retrolean eval …`) is a thin layer over these.
"""
