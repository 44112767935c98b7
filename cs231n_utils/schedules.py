"""Learning-rate schedules for :class:`cs231n_utils.solver.Solver`.

A schedule is called before every update as ``schedule(iteration, total_iterations)``
and returns a **multiplier** of the base learning rate (``optim_config["learning_rate"]``):
the solver uses ``base * multiplier``. ``iteration`` counts updates from 0; a fraction
``f`` of training is the iteration ``round(f * total_iterations)``::

    from cs231n_utils import schedules
    Solver(model, data, update_rule=sgd_momentum, optim_config={"learning_rate": 0.05},
           lr_schedule=schedules.cosine(warmup=0.05))

Schedules are small objects (picklable, and their ``repr`` names their settings, for
run records). Each factory checks its arguments and raises ``ValueError``.

- :func:`constant`: 1 throughout.
- :func:`step_decay`: multiply by ``drop`` at each milestone.
- :func:`cosine`: linear warm-up, then half a cosine from 1 down to ``final``.
- :func:`one_cycle`: linear from ``start`` up to 1 at ``peak_at``, then half a cosine
  down to ``end`` (the cosine, not a straight line, as PyTorch's ``OneCycleLR`` does by
  default: it spends longer near both the peak and the end).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

__all__ = ["Schedule", "constant", "step_decay", "cosine", "one_cycle"]


def _fraction(value, name: str, low: float = 0.0, high: float = 1.0, closed_high: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not (low <= value and (value <= high if closed_high else value < high)):
        bracket = "]" if closed_high else ")"
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}{bracket}, got {value!r}")
    return value


def _at(fraction: float, total_iterations: int) -> int:
    """The iteration a fraction of training falls on (``round``, halves rounded up)."""
    return int(math.floor(fraction * total_iterations + 0.5))


def _half_cosine(t: float, high: float, low: float) -> float:
    """From ``high`` at t = 0 to ``low`` at t = 1 along half a cosine."""
    return low + (high - low) * 0.5 * (1.0 + math.cos(math.pi * min(max(t, 0.0), 1.0)))


class Schedule:
    """Base class: checks the call's arguments, then :meth:`multiplier` does the work."""

    name = "schedule"  # the factory that makes it, for repr

    def __call__(self, iteration: int, total_iterations: int) -> float:
        if isinstance(total_iterations, bool) or not isinstance(total_iterations, numbers.Integral) \
                or total_iterations <= 0:
            raise ValueError(f"total_iterations must be a positive integer, got {total_iterations!r}")
        if isinstance(iteration, bool) or not isinstance(iteration, numbers.Integral) or iteration < 0:
            raise ValueError(f"iteration must be an integer >= 0, got {iteration!r}")
        return float(self.multiplier(int(iteration), int(total_iterations)))

    def multiplier(self, iteration: int, total_iterations: int) -> float:
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{self.name}({settings})"


class Constant(Schedule):
    name = "constant"

    def multiplier(self, iteration, total_iterations):
        return 1.0


class StepDecay(Schedule):
    name = "step_decay"

    def __init__(self, drop: float, milestones: tuple[float, ...]):
        self.drop = drop
        self.milestones = milestones

    def multiplier(self, iteration, total_iterations):
        passed = sum(iteration >= _at(m, total_iterations) for m in self.milestones)
        return self.drop**passed


class Cosine(Schedule):
    name = "cosine"

    def __init__(self, warmup: float, final: float):
        self.warmup = warmup
        self.final = final

    def multiplier(self, iteration, total_iterations):
        warm = _at(self.warmup, total_iterations)
        if iteration < warm:
            return iteration / warm
        return _half_cosine((iteration - warm) / max(1, total_iterations - warm), 1.0, self.final)


class OneCycle(Schedule):
    name = "one_cycle"

    def __init__(self, peak_at: float, start: float, end: float):
        self.peak_at = peak_at
        self.start = start
        self.end = end

    def multiplier(self, iteration, total_iterations):
        peak = _at(self.peak_at, total_iterations)
        if iteration < peak:
            return self.start + (1.0 - self.start) * iteration / peak
        return _half_cosine((iteration - peak) / max(1, total_iterations - peak), 1.0, self.end)


def constant() -> Schedule:
    """Multiplier 1 at every iteration: the base learning rate throughout."""
    return Constant()


def step_decay(drop: float = 0.1, milestones: Sequence[float] = (0.5, 0.75)) -> Schedule:
    """Multiply the rate by ``drop`` at each milestone (fractions of training).

    With the defaults: 1 for the first half, 0.1 from iteration round(0.5 T), 0.01 from
    round(0.75 T). ``drop`` in (0, 1]; milestones strictly increasing, in (0, 1).
    """
    drop = _fraction(drop, "drop", closed_high=True)
    if drop == 0:
        raise ValueError("drop must be > 0 (a rate of 0 stops learning)")
    try:
        milestones = tuple(_fraction(m, "each milestone") for m in milestones)
    except TypeError:
        raise ValueError(f"milestones must be a sequence of fractions of training, got {milestones!r}") from None
    if any(m <= 0 for m in milestones) or any(b <= a for a, b in zip(milestones, milestones[1:])):
        raise ValueError(f"milestones must be strictly increasing fractions in (0, 1), got {milestones!r}")
    return StepDecay(drop, milestones)


def cosine(warmup: float = 0.0, final: float = 0.0) -> Schedule:
    """Linear warm-up, then cosine decay.

    With W = round(warmup * T): the multiplier rises linearly from 0 at iteration 0 to
    1 at iteration W, then follows half a cosine from 1 (iteration W) down to ``final``
    (reached at iteration T, just after the last update). ``warmup`` in [0, 1),
    ``final`` in [0, 1].
    """
    return Cosine(_fraction(warmup, "warmup"), _fraction(final, "final", closed_high=True))


def one_cycle(peak_at: float = 0.3, start: float = 0.1, end: float = 0.001) -> Schedule:
    """Up linearly, then down along a cosine.

    With P = round(peak_at * T): the multiplier rises linearly from ``start`` at
    iteration 0 to 1 at iteration P, then follows half a cosine from 1 down to ``end``
    (reached at iteration T). ``peak_at`` in [0, 1); ``start`` in (0, 1]; ``end`` in [0, 1].
    """
    peak_at = _fraction(peak_at, "peak_at")
    start = _fraction(start, "start", closed_high=True)
    if start == 0:
        raise ValueError("start must be > 0")
    return OneCycle(peak_at, start, _fraction(end, "end", closed_high=True))
