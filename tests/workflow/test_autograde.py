"""End to end with nbgrader's real CLI and a real SQLite gradebook.

One temporary course: the pilot is generated from `solutions/`, then submitted by the
reference solution, by a student who changed nothing, and by every variant of the
catalogue; `nbgrader autograde`, `generate_feedback` and `export` run once for all of
them, and the tests read the gradebook, the feedback files and the exported CSV.
"""

import csv

import nbformat
import pytest
from nbgrader.api import Gradebook

from catalogue import PILOT, PILOT_CORRECT, PILOT_NOTEBOOK, PILOT_POINTS, PILOT_WRONG
from nbgrader_course import SOLUTIONS, Course, student_notebook

pytestmark = pytest.mark.slow
FULL = sum(PILOT_POINTS.values())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("course"))
    course.nbgrader("generate_assignment", PILOT, "--force")
    source = SOLUTIONS / PILOT / PILOT_NOTEBOOK
    released = course.root / "assignments" / PILOT / PILOT_NOTEBOOK

    course.submit("solution", PILOT, {PILOT_NOTEBOOK: nbformat.read(source, as_version=4)})
    course.submit("untouched", PILOT, {PILOT_NOTEBOOK: nbformat.read(released, as_version=4)})
    for variant in PILOT_WRONG + PILOT_CORRECT:
        notebook = student_notebook(released, source, variant.bodies)
        course.submit(variant.name, PILOT, {PILOT_NOTEBOOK: notebook})

    course.nbgrader("autograde", PILOT)
    course.nbgrader("generate_feedback", PILOT)
    course.nbgrader("export")

    scores = {}
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gradebook:
        for submission in gradebook.assignment_submissions(PILOT):
            notebook = gradebook.find_submission_notebook(PILOT_NOTEBOOK.removesuffix(".ipynb"), PILOT, submission.student.id)
            scores[submission.student.id] = {grade.name: grade.score for grade in notebook.grades}
    return course, scores


def test_every_submission_was_graded(graded):
    _, scores = graded
    expected = {"solution", "untouched"} | {v.name for v in PILOT_WRONG + PILOT_CORRECT}
    assert set(scores) == expected


def test_reference_solution_gets_full_marks(graded):
    _, scores = graded
    assert scores["solution"] == PILOT_POINTS


def test_untouched_release_scores_zero_on_every_graded_cell(graded):
    course, scores = graded
    assert scores["untouched"] == dict.fromkeys(PILOT_POINTS, 0)
    autograded = nbformat.read(course.root / "autograded" / "untouched" / PILOT / PILOT_NOTEBOOK, as_version=4)
    errors = [o.ename for c in autograded.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and set(errors) == {"NotImplementedError"}, f"errors other than the stubs': {errors}"


@pytest.mark.parametrize("variant", PILOT_WRONG, ids=lambda v: v.name)
def test_wrong_implementation_loses_exactly_the_cells_it_breaks(graded, variant):
    _, scores = graded
    expected = {cell: 0 if cell in variant.fails else points for cell, points in PILOT_POINTS.items()}
    assert scores[variant.name] == expected, f"{variant.name} ({variant.why})"
    assert 0 < sum(expected.values()) < FULL  # partial marks, by construction of the catalogue


@pytest.mark.parametrize("variant", PILOT_CORRECT, ids=lambda v: v.name)
def test_correct_variant_gets_full_marks(graded, variant):
    _, scores = graded
    assert scores[variant.name] == PILOT_POINTS, f"{variant.name} ({variant.why})"


def test_feedback_html_is_written_for_every_student(graded):
    course, scores = graded
    for student, cells in scores.items():
        page = course.root / "feedback" / student / PILOT / PILOT_NOTEBOOK.replace(".ipynb", ".html")
        assert page.is_file(), f"no feedback for {student}"
        text = page.read_text(encoding="utf-8")
        total = sum(cells.values())
        assert f"Score: {total:.1f} / {FULL:.1f}" in text or f"{total} / {FULL}" in text, f"{student}: score not in feedback"


def test_exported_csv_holds_every_student_with_their_score(graded):
    course, scores = graded
    with open(course.root / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == PILOT}
    assert set(rows) == set(scores)
    for student, cells in scores.items():
        assert float(rows[student]["score"]) == pytest.approx(sum(cells.values())), student
        assert float(rows[student]["max_score"]) == FULL
