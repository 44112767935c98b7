"""Seconds per student: grade a synthetic class with the one instructor command.

    python -m cs231n_utils.grading.benchmark --assignment layers --students 100 --jobs 2

Builds a throw-away course from this repository's ``nbgrader_config.py`` and
``solutions/<assignment>``, releases it with ``nbgrader generate_assignment``, and makes
STUDENTS submissions: the reference solution (complete work, every cell runs) for most,
and the untouched released notebooks (every answer raises NotImplementedError) for every
``--blank-every``-th student. Then it runs :func:`grade_class` on them, exactly as an
instructor would, and prints the total and per-student wall time with the machine's
facts. Nothing in the repository is touched.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from .grade_class import grade_class

REPO = Path(__file__).resolve().parents[2]


def _as_student(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A solution notebook as a student submits it: nbgrader's solution markers removed."""
    from nbgrader.preprocessors import ClearSolutions

    markers = (ClearSolutions.begin_solution_delimeter.default_value,
               ClearSolutions.end_solution_delimeter.default_value)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = "\n".join(line for line in cell.source.splitlines()
                                    if not any(m in line for m in markers))
    return notebook


def build_class(course: Path, assignment: str, students: int, blank_every: int) -> Path:
    """A course released from this repository and a folder of ``students`` submissions."""
    course.mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "solutions" / assignment, course / "solutions" / assignment)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
                   cwd=course, env=env, check=True, capture_output=True)
    sources = sorted((course / "solutions" / assignment).glob("*.ipynb"))
    complete = {p.name: nbformat.writes(_as_student(nbformat.read(p, as_version=4))) for p in sources}
    blank = {p.name: (course / "assignments" / assignment / p.name).read_text() for p in sources}
    submissions = course.parent / "submissions"
    for number in range(students):
        folder = submissions / f"student{number:03d}"
        folder.mkdir(parents=True)
        notebooks = blank if blank_every and number % blank_every == blank_every - 1 else complete
        for name, text in notebooks.items():
            (folder / name).write_text(text)
    return submissions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="layers")
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--blank-every", type=int, default=10,
                        help="every N-th student submits the untouched release (0: none)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cs231n-grading-benchmark-") as tmp:
        course = Path(tmp) / "course"
        started = time.monotonic()
        submissions = build_class(course, args.assignment, args.students, args.blank_every)
        print(f"built {args.students} submissions of {args.assignment} in {time.monotonic() - started:.0f} s")
        summary = grade_class(args.assignment, submissions, course, jobs=args.jobs, progress=True)
    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"BENCHMARK {args.assignment}: {summary['students']} students, {args.jobs} at a time: "
          f"{summary['seconds']:.0f} s in all, {summary['seconds_per_student']:.2f} s per student "
          f"(in a worker, per student: autograde {summary['mean_autograde_seconds']} s, "
          f"feedback {summary['mean_feedback_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
