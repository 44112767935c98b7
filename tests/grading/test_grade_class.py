"""The class command finishes a run in which one student's grading never would."""

import json
import subprocess
import sys

import nbformat
import pytest

from nbgrader_course import SOLUTIONS, Course, course_env, student_notebook

pytestmark = pytest.mark.slow
NOTEBOOK = "affine_relu.ipynb"


def test_a_student_past_the_limit_is_stopped_and_the_others_are_graded(tmp_path):
    course = Course(tmp_path / "course", only={"pilot": [NOTEBOOK]})
    course.nbgrader("generate_assignment", "pilot", "--force")
    released, source = course.root / "assignments" / "pilot" / NOTEBOOK, SOLUTIONS / "pilot" / NOTEBOOK
    hang = "import time\nwhile True:\n    time.sleep(1)"  # sleeps, so only the wall clock can stop it
    submissions = {
        "a_honest": student_notebook(released, source),
        "b_hangs": student_notebook(released, source, {"affine_forward_impl": hang}),
        "c_honest": student_notebook(released, source),
    }
    for student, notebook in submissions.items():
        (tmp_path / "in" / student).mkdir(parents=True)
        nbformat.write(notebook, tmp_path / "in" / student / NOTEBOOK)
    command = [sys.executable, "-m", "cs231n_utils.grading", "pilot", str(tmp_path / "in"), "--course", str(course.root),
               "--jobs", "1", "--timeout", "600", "--student-limit", "20", "--no-progress"]
    result = subprocess.run(command, cwd=course.root, env=course_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((course.root / "grading" / "pilot" / "summary.json").read_text())
    results = summary["results"]
    assert results["a_honest"]["score"] == results["c_honest"]["score"] == 8
    assert results["b_hangs"]["problems"][0] == "grading stopped: ran past the per-student limit of 20 s"
    assert "b_hangs: grading stopped" in result.stdout
