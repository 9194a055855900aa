"""Skill backends: who writes each generated part — the template processes or a model.

A backend answers a stage's request for a whole batch at once (a model backend
sends the batch concurrently); each item comes back as a value or a `Failure`
that the stage turns into a reject with its reason.
"""
