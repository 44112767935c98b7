"""Collecting a class's submissions: folders, zips and the LMS layout (nbgrader zip_collect)."""

import json
import zipfile

import pytest

from cs231n_utils.grading import grade_class
from cs231n_utils.grading.grade_class import ClassGradingError, collect
from nbgrader_course import Course, course_env

NOTEBOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    return root


def submitted(course, assignment="pilot"):
    return {p.relative_to(course / "submitted").as_posix() for p in (course / "submitted").rglob("*") if p.is_file()}


def make_folders(root, layout):
    for relative, text in layout.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_one_folder_per_student_only_notebooks_are_copied(tmp_path, course):
    folder = make_folders(tmp_path / "in", {
        "alice/affine_relu.ipynb": NOTEBOOK, "alice/numpy.py": "allclose = None",
        "bob/pilot/affine_relu.ipynb": NOTEBOOK, "bob/pilot/notes.txt": "hi"})
    problems = collect(folder, "pilot", course, tmp_path / "work", course_env())
    assert problems == {}
    assert submitted(course) == {"alice/pilot/affine_relu.ipynb", "bob/pilot/affine_relu.ipynb"}


def test_a_zip_with_one_top_folder_is_unpacked(tmp_path, course):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("export/alice/affine_relu.ipynb", NOTEBOOK)
        zf.writestr("export/bob/affine_relu.ipynb", NOTEBOOK)
    (tmp_path / "work").mkdir()
    collect(archive, "pilot", course, tmp_path / "work", course_env())
    assert submitted(course) == {"alice/pilot/affine_relu.ipynb", "bob/pilot/affine_relu.ipynb"}


def test_a_zip_reaching_outside_its_folder_is_refused(tmp_path, course):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../escaped.ipynb", NOTEBOOK)
    (tmp_path / "work").mkdir()
    with pytest.raises(ClassGradingError, match="unsafe path"):
        collect(archive, "pilot", course, tmp_path / "work", course_env())
    assert not (tmp_path / "escaped.ipynb").exists()


def test_bad_student_ids_symlinks_and_huge_files_are_reported(tmp_path, course, monkeypatch):
    monkeypatch.setattr(grade_class, "MAX_NOTEBOOK_BYTES", 100)
    folder = make_folders(tmp_path / "in", {"bad id!/affine_relu.ipynb": NOTEBOOK, "carol/affine_relu.ipynb": NOTEBOOK * 5,
                                            "dave/real.ipynb": NOTEBOOK})
    (folder / "dave" / "affine_relu.ipynb").symlink_to("/etc/hostname")
    problems = collect(folder, "pilot", course, tmp_path / "work", course_env())
    assert problems["bad id!"] == ["not graded: the folder name is not a valid student id"]
    assert "larger than" in problems["carol"][0] and "not a regular file" in problems["dave"][0]
    assert submitted(course) == {"dave/pilot/real.ipynb"}


@pytest.mark.slow
def test_lms_files_are_sorted_by_nbgrader_zip_collect(tmp_path):
    course = Course(tmp_path / "course", only={"pilot": ["affine_relu.ipynb"]})
    course.nbgrader("generate_assignment", "pilot", "--force")
    folder = make_folders(tmp_path / "in", {"alice_affine_relu.ipynb": NOTEBOOK, "bob_affine_relu.ipynb": NOTEBOOK})
    collect(folder, "pilot", course.root, tmp_path / "work", course_env())
    assert submitted(course.root) == {"alice/pilot/affine_relu.ipynb", "bob/pilot/affine_relu.ipynb"}


def test_grading_an_unreleased_assignment_says_what_to_do(tmp_path, capsys):
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    assert grade_class.main(["pilot", str(tmp_path), "--course", str(course)]) == 2
    assert "release it first" in capsys.readouterr().err


def test_grading_outside_a_course_says_so(tmp_path, capsys):
    assert grade_class.main(["pilot", str(tmp_path), "--course", str(tmp_path)]) == 2
    assert "no nbgrader_config.py" in capsys.readouterr().err
