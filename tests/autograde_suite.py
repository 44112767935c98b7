"""End-to-end autograding of one notebook's catalogue with nbgrader's real CLI.

A test file subclasses :class:`AutogradeSuite` and sets ``catalogue``. The suite builds a
temporary course, generates the assignment from `solutions/` (so the gradebook holds the
hidden tests), and submits the notebook as: the reference solution, the untouched
released version, and every variant of the catalogue. `nbgrader autograde --notebook`,
`generate_feedback` and `export` run once for all of them; the tests then read the
gradebook, the feedback pages and the exported CSV. One file per notebook lets pytest-xdist
(`--dist loadfile`) grade notebooks in parallel.
"""

from __future__ import annotations

import csv

import nbformat
import pytest
from nbgrader.api import Gradebook

from catalogue import NotebookCatalogue
from cs231n_utils.data import find_cifar10_source
from cs231n_utils.grading.grade_class import warm_data_cache
from nbgrader_course import SOLUTIONS, Course, student_notebook

REFERENCE, UNTOUCHED = "reference", "untouched"


def needs_cifar10(suite: type) -> type:
    """Mark a suite whose notebook trains on real CIFAR-10: slow, realdata, and skipped
    (saying where the files go) when the data directory holds no copy."""
    for mark in (
        pytest.mark.skipif(find_cifar10_source() is None,
                           reason="no CIFAR-10 copy in the data directory (CS231N_DATA): "
                                  "the notebook trains on real images"),
        pytest.mark.realdata,
        pytest.mark.slow,
    ):
        suite = mark(suite)
    return suite


class AutogradeSuite:
    catalogue: NotebookCatalogue

    def pytest_generate_tests(self, metafunc):
        if "wrong_variant" in metafunc.fixturenames:
            variants = self.catalogue.wrong
            metafunc.parametrize("wrong_variant", variants, ids=[v.name for v in variants])
        if "correct_variant" in metafunc.fixturenames:
            variants = self.catalogue.correct
            metafunc.parametrize("correct_variant", variants, ids=[v.name for v in variants])

    @pytest.fixture(scope="class")
    def graded(self, tmp_path_factory):
        cat = self.catalogue
        # Only this notebook and the earlier ones it loads.
        course = Course(
            tmp_path_factory.mktemp(f"course-{cat.assignment}"),
            only={cat.assignment: [*cat.requires, cat.notebook]},
        )
        course.nbgrader("generate_assignment", cat.assignment, "--force")
        # Grading kernels read the decoded-array cache but may not write it.
        warm_data_cache([SOLUTIONS / cat.assignment / name for name in (*cat.requires, cat.notebook)])
        source_dir = SOLUTIONS / cat.assignment
        release_dir = course.root / "assignments" / cat.assignment
        source, released = source_dir / cat.notebook, release_dir / cat.notebook
        # The earlier notebooks this one loads, as a student who finished them has them.
        required = {name: nbformat.read(source_dir / name, as_version=4) for name in cat.requires}

        submissions = {
            REFERENCE: nbformat.read(source, as_version=4),
            UNTOUCHED: nbformat.read(released, as_version=4),
        }
        for variant in cat.wrong + cat.correct:
            submissions[variant.name] = student_notebook(released, source, variant.bodies)
        notebook_id = cat.notebook.removesuffix(".ipynb")
        for student, notebook in submissions.items():
            course.submit(student, cat.assignment, {**required, cat.notebook: notebook})
            # Grade only this notebook (nbgrader would run every earlier one for every
            # student again): the earlier ones wait, already graded in effect, in the
            # folder where autograde runs it, which nbgrader leaves as it finds it.
            graded_dir = course.root / "autograded" / student / cat.assignment
            graded_dir.mkdir(parents=True, exist_ok=True)
            for name, earlier in required.items():
                nbformat.write(earlier, graded_dir / name)

        course.nbgrader("autograde", cat.assignment, "--notebook", notebook_id)
        course.nbgrader("generate_feedback", cat.assignment, "--notebook", notebook_id)
        course.nbgrader("export")

        scores = {}
        with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gradebook:
            for student in submissions:
                graded_notebook = gradebook.find_submission_notebook(notebook_id, cat.assignment, student)
                scores[student] = {grade.name: grade.score for grade in graded_notebook.grades}
        return course, scores

    # -- the tests ------------------------------------------------------------------

    def test_graded_cells_match_the_catalogue(self, graded):
        _, scores = graded
        assert set(scores[REFERENCE]) == set(self.catalogue.points), "catalogue points out of date"

    def test_reference_solution_gets_full_marks(self, graded):
        _, scores = graded
        assert scores[REFERENCE] == self.catalogue.points

    def test_untouched_release_scores_zero_on_every_graded_cell(self, graded):
        course, scores = graded
        cat = self.catalogue
        assert scores[UNTOUCHED] == dict.fromkeys(cat.points, 0)
        path = course.root / "autograded" / UNTOUCHED / cat.assignment / cat.notebook
        cells = nbformat.read(path, as_version=4).cells
        errors = [o.ename for c in cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        assert errors and set(errors) == {"NotImplementedError"}, f"errors other than the stubs': {errors}"

    def test_wrong_implementation_loses_exactly_the_cells_it_breaks(self, graded, wrong_variant):
        _, scores = graded
        points = self.catalogue.points
        expected = {cell: 0 if cell in wrong_variant.fails else p for cell, p in points.items()}
        assert scores[wrong_variant.name] == expected, f"{wrong_variant.name}: {wrong_variant.why}"
        assert wrong_variant.fails, "a wrong variant must name the cells it breaks"

    def test_correct_variant_gets_full_marks(self, graded, correct_variant):
        _, scores = graded
        assert scores[correct_variant.name] == self.catalogue.points, f"{correct_variant.name}: {correct_variant.why}"

    def test_feedback_shows_each_students_score(self, graded):
        course, scores = graded
        cat = self.catalogue
        for student, cells in scores.items():
            page = course.root / "feedback" / student / cat.assignment / cat.notebook.replace(".ipynb", ".html")
            assert page.is_file(), f"no feedback for {student}"
            text = page.read_text(encoding="utf-8")
            assert f"Score: {sum(cells.values()):.1f} / {cat.total:.1f}" in text, f"{student}: score not in feedback"

    def test_exported_csv_holds_every_student_with_their_score(self, graded):
        course, scores = graded
        cat = self.catalogue
        with open(course.root / "grades.csv", newline="") as handle:
            rows = {r["student_id"]: r for r in csv.DictReader(handle) if r["assignment"] == cat.assignment}
        assert set(rows) == set(scores)
        # The CSV totals the whole assignment; the earlier notebooks were not graded here,
        # so they add the same (nothing) to every student's total.
        earlier = float(rows[REFERENCE]["score"]) - cat.total
        for student, cells in scores.items():
            assert float(rows[student]["score"]) == pytest.approx(sum(cells.values()) + earlier), student
            assert float(rows[student]["max_score"]) == float(rows[REFERENCE]["max_score"])
