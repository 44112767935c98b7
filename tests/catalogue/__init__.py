"""Realistic student implementations, wrong and right, that the autograder must judge.

One module per graded notebook defines a ``CATALOGUE``. Each wrong variant names the
graded cells that must score zero; every other graded cell must get full marks, so a test
that fails for the wrong reason shows up too. Each correct variant (a different but valid
way of writing the code) must get full marks everywhere. A body replaces the code between
a solution cell's markers, indented like the markers.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Variant:
    name: str
    why: str
    bodies: dict[str, str]
    fails: frozenset[str] = field(default_factory=frozenset)


def wrong(name: str, why: str, fails: set[str], **bodies: str) -> Variant:
    return Variant(name, why, bodies, frozenset(fails))


def swap(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new``; ``old`` must occur (a silent no-op
    would turn a wrong variant into the reference)."""
    if old not in text:
        raise ValueError(f"{old!r} does not occur in the code it should change")
    return text.replace(old, new)


def correct(name: str, why: str, **bodies: str) -> Variant:
    return Variant(name, why, bodies)


@dataclass(frozen=True)
class NotebookCatalogue:
    """The variants of one graded notebook.

    assignment, notebook: where the source lives, ``solutions/<assignment>/<notebook>``.
    points: grade_id of every graded cell -> its points.
    requires: earlier notebooks of the assignment whose functions this one loads; a
        submission carries their reference solutions so that only this notebook varies.
    """

    assignment: str
    notebook: str
    points: dict[str, int]
    wrong: list[Variant]
    correct: list[Variant]
    requires: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.points.values())


def all_catalogues() -> list[NotebookCatalogue]:
    modules = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]
    # attacks.py holds the adversarial submissions, not a notebook's catalogue.
    return [m.CATALOGUE for m in modules if hasattr(m, "CATALOGUE")]
