"""The catalogues themselves: every graded cell can be failed, names are unique."""

import nbformat
import pytest

from catalogue import all_catalogues
from nbgrader_course import SOLUTIONS

CATALOGUES = all_catalogues()


def graded_cells(path):
    cells = nbformat.read(path, as_version=4).cells
    return {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
        for c in cells if c.metadata.get("nbgrader", {}).get("grade")
    }


def solution_cells(path):
    cells = nbformat.read(path, as_version=4).cells
    return {c.metadata["nbgrader"]["grade_id"] for c in cells if c.metadata.get("nbgrader", {}).get("solution")}


def test_every_source_notebook_has_a_catalogue():
    covered = {(c.assignment, c.notebook) for c in CATALOGUES}
    notebooks = {(p.parent.name, p.name) for p in SOLUTIONS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts}
    assert notebooks <= covered, f"no catalogue for {sorted(notebooks - covered)}"


@pytest.mark.parametrize("cat", CATALOGUES, ids=lambda c: f"{c.assignment}/{c.notebook}")
def test_catalogue_matches_its_notebook(cat):
    path = SOLUTIONS / cat.assignment / cat.notebook
    assert graded_cells(path) == cat.points, "points in the catalogue differ from the notebook's"
    solutions = solution_cells(path)
    for variant in cat.wrong + cat.correct:
        assert set(variant.bodies) <= solutions, f"{variant.name} replaces unknown cells"
        assert variant.fails <= set(cat.points), f"{variant.name} names unknown graded cells"
    for name in cat.requires:
        assert (path.parent / name).is_file(), f"required notebook {name} missing"


@pytest.mark.parametrize("cat", CATALOGUES, ids=lambda c: f"{c.assignment}/{c.notebook}")
def test_every_graded_cell_is_failed_by_some_wrong_variant(cat):
    failed = set().union(*(v.fails for v in cat.wrong))
    assert failed == set(cat.points), f"no wrong variant shows these cells can fail: {sorted(set(cat.points) - failed)}"


@pytest.mark.parametrize("cat", CATALOGUES, ids=lambda c: f"{c.assignment}/{c.notebook}")
def test_variant_names_are_unique_student_ids(cat):
    names = [v.name for v in cat.wrong + cat.correct]
    assert len(names) == len(set(names))
    assert all(n.isidentifier() and n not in {"reference", "untouched"} for n in names)
