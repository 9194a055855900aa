"""What each recipe parameter moves, and how a retry turns the ones that matter.

A parameter is read at one point of a run: when problems are sampled (`n`,
`k`, `seed`, `theme_rate`, the domains), or by a stage. Some are honoured only
by one backend: the template backend reads `guided_link_rate` and
`caption_concise_rate`, a model `temperature_scale` (each backend declares its
own in `SkillBackend.honours`). A retry is worth making only if it changes
something the stage's outcome depends on, on this backend: a parameter the
backend honours that can still move, or a fresh draw where the stage's result
depends on its random draws. On the model backend the same request is
answered from the model cache, so only a changed request makes a new answer.

Measured on the template backend (`python bench/retry_levers.py`, n = 60, seed
3, with the proofs of issue 11, which let 11 of the 60 problems reach the
missing stage): frame_shift_rate 0 / 0.5 / 1 kept the missing stage at 9 / 9 /
10 of 11, so it is no lever for that stage; a fresh draw of the missing stage
(another domain dropped) kept both of its 2 rejects at the first retry. (Before
issue 11: 17 / 17 / 18 of 26, and 7 of 9 rejects kept by a fresh draw.)

Example: retry_move("roundtrip", Parameters(), BackendTraits("template", TemplateBackend.honours))
  -> RetryMove(target="caption", changes={"caption_concise_rate": 0.0}, redraw=True, …)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from retrolean.recipes.recipe import Parameters

SAMPLING = "sampling"  # the point before the first stage where problems are drawn

# Where each parameter is read: at sampling, or by the stages named.
READ_BY: dict[str, tuple[str, ...]] = {
    "n": (SAMPLING,), "k": (SAMPLING,), "seed": (SAMPLING,), "theme_rate": (SAMPLING,),
    "guided_link_rate": ("formalize",), "caption_concise_rate": ("caption",),
    "personas_per_problem": ("personas",), "persona_weights": ("personas", "missing"),
    "frame_shift_rate": ("missing",), "conversations_per_problem": ("conversations",),
    "temperature_scale": ("formalize", "presence", "caption", "roundtrip", "personas",
                          "missing", "fill_in"),
}

# Where to go back to when a stage falls short: a poor round trip is fixed by captioning again.
RETRY_FROM = {"presence": "formalize", "roundtrip": "caption", "fill_in": "missing"}

# Stages whose result depends on their own random draws, and on which backends: the
# template's gadgets and caption picks; the missing stage's choice of the dropped domain on
# any backend. Elsewhere a failure does not depend on the draw (the template's persona,
# fill-in and conversation processes fail only without a structured problem), or a model
# call with the same request is answered from the cache.
DRAWS: dict[str, frozenset[str]] = {
    "formalize": frozenset({"template"}), "caption": frozenset({"template"}),
    "missing": frozenset({"template", "model"}),
}


@dataclass(frozen=True)
class Lever:
    """How a retry moves one parameter: up by `step` to `bound`, or scaled by `factor` down to
    `bound`, or set to `bound`."""

    name: str
    bound: float
    step: float | None = None
    factor: float | None = None

    def moved(self, value: float) -> float | None:
        """The new value, or None when it is already at its bound."""
        if self.step is not None:
            new = min(self.bound, value + self.step)
        elif self.factor is not None:
            new = max(self.bound, value * self.factor)
        else:
            new = self.bound
        new = round(new, 3)
        return None if new == round(value, 3) else new


TEMPERATURE = Lever("temperature_scale", bound=0.3, factor=0.7)
LEVERS: dict[str, tuple[Lever, ...]] = {
    "formalize": (Lever("guided_link_rate", bound=1.0, step=0.2), TEMPERATURE),
    "caption": (Lever("caption_concise_rate", bound=0.0), TEMPERATURE),
    "personas": (TEMPERATURE,),
    "missing": (TEMPERATURE,),
}


@dataclass(frozen=True)
class BackendTraits:
    """What a retry needs to know of the backend: its name and the parameters it honours."""

    name: str
    honours: frozenset[str] = frozenset()



# Parameters only a backend reads (each backend's `honours` names those it reads).
BACKEND_PARAMETERS = frozenset({"guided_link_rate", "caption_concise_rate", "temperature_scale"})


@dataclass
class RetryMove:
    """Where a retry goes back to and what it changes; `blocked` says why nothing can change."""

    target: str
    changes: dict[str, Any] = field(default_factory=dict)
    redraw: bool = False
    blocked: list[str] = field(default_factory=list)  # "guided_link_rate is already 1.0"

    @property
    def worth_it(self) -> bool:
        return bool(self.changes) or self.redraw

    def describe(self, params: Parameters) -> str:
        """'caption_concise_rate 0.08 → 0.0 and a fresh draw'."""
        moves = [f"{k} {getattr(params, k)} → {v}" for k, v in self.changes.items()]
        if self.redraw:
            moves.append("a fresh draw")
        return " and ".join(moves)


def retry_move(stage: str, params: Parameters, backend: BackendTraits) -> RetryMove:
    """What a retry of `stage` can change on this backend (see the module docstring)."""
    target = RETRY_FROM.get(stage, stage)
    move = RetryMove(target=target, redraw=backend.name in DRAWS.get(target, frozenset()))
    for lever in LEVERS.get(target, ()):
        if lever.name not in backend.honours:
            continue
        value = getattr(params, lever.name)
        new = lever.moved(value)
        if new is None:
            move.blocked.append(f"{lever.name} is already {value}")
        else:
            move.changes[lever.name] = new
    return move


def steer_reach(name: str, remaining: list[str], backend: BackendTraits) -> str | None:
    """Why a parameter changed between stages reaches no stage still to run, or None if it does.

    Example: steer_reach("guided_link_rate", ["missing", "fill_in"], template)
      -> "no stage still to run reads it (formalize does)"
    """
    readers = READ_BY.get(name, ())
    if SAMPLING in readers:
        return "problems are drawn before the first stage; a new run can change it"
    if name in BACKEND_PARAMETERS and name not in backend.honours:
        return f"the {backend.name} backend does not use it"
    if readers and not set(readers) & set(remaining):
        return f"no stage still to run reads it ({', '.join(readers)} did)"
    return None
