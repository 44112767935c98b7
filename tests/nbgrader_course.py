"""A throw-away copy of the course for driving nbgrader's real CLI in tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO / "solutions"
ASSIGNMENTS = REPO / "assignments"


def course_env() -> dict[str, str]:
    """The environment nbgrader needs: this interpreter's bin first (nbgrader runs
    `alembic` by name) and OpenBLAS threads that do not spin against torch."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


class Course:
    """A course directory under ``root`` holding a copy of the repository's nbgrader
    config and source notebooks; every command runs nbgrader's own CLI in it."""

    def __init__(self, root: Path, only: dict[str, list[str]] | None = None):
        """only: assignment -> the notebooks to copy (default: all of `solutions/`). A
        course holding fewer notebooks grades faster: nbgrader runs every notebook of an
        assignment it knows."""
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "nbgrader_config.py", self.root)
        if only is None:
            shutil.copytree(SOLUTIONS, self.root / "solutions", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            return
        for assignment, notebooks in only.items():
            folder = self.root / "solutions" / assignment
            folder.mkdir(parents=True)
            for name in notebooks:
                shutil.copy(SOLUTIONS / assignment / name, folder / name)

    def nbgrader(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "nbgrader", *args],
            cwd=self.root, env=course_env(), capture_output=True, text=True, timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"nbgrader {' '.join(args)} exited with {result.returncode}\n{result.stdout}\n{result.stderr}"
            )
        return result

    def submit(self, student: str, assignment: str, notebooks: dict[str, nbformat.NotebookNode]) -> None:
        """Put a student's notebooks where `nbgrader autograde` looks for them."""
        folder = self.root / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for name, notebook in notebooks.items():
            nbformat.write(notebook, folder / name)


def solution_body(cell_source: str) -> str:
    """A solution cell as a student would write it: the reference code, markers removed."""
    return "\n".join(
        line for line in cell_source.splitlines()
        if line.strip() not in {"### BEGIN SOLUTION", "### END SOLUTION"}
    )


def replace_solution(cell_source: str, body: str | tuple[str | None, ...]) -> str:
    """The solution cell with the code between the markers replaced by ``body``, each
    new line indented like its region's ``### BEGIN SOLUTION`` marker.

    body: the new code of a cell with one solution region; for a cell with several (a
    class whose methods each have one), a tuple with one entry per region in order, where
    ``None`` keeps that region's reference code. The count must match the cell's regions.
    """
    lines = cell_source.splitlines()
    begins = [i for i, l in enumerate(lines) if l.strip() == "### BEGIN SOLUTION"]
    ends = [i for i, l in enumerate(lines) if l.strip() == "### END SOLUTION"]
    # Markers must alternate BEGIN, END, BEGIN, END, ... starting with a BEGIN.
    markers = sorted(begins + ends)
    if not begins or markers[0::2] != begins or markers[1::2] != ends:
        raise ValueError("a solution cell needs matching ### BEGIN / ### END SOLUTION markers")
    bodies = (body,) if isinstance(body, str) else tuple(body)
    if len(bodies) != len(begins):
        raise ValueError(
            f"the solution cell has {len(begins)} solution region(s) but {len(bodies)} body(ies) were given"
        )
    # Replace from the last region to the first so earlier line numbers stay valid.
    for start, end, new_body in reversed(list(zip(begins, ends, bodies))):
        if new_body is None:
            continue
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        new = [indent + l if l else l for l in new_body.strip("\n").splitlines()]
        lines[start : end + 1] = new
    return "\n".join(lines)


def student_notebook(
    released: Path, source: Path, bodies: dict[str, str | tuple[str | None, ...]] | None = None
) -> nbformat.NotebookNode:
    """A submission made from the released notebook: every solution cell holds the
    reference code, except the cells named in ``bodies`` (grade_id -> code between the
    solution markers; a tuple of codes, one per region, for a cell with several regions,
    see :func:`replace_solution`)."""
    bodies = bodies or {}
    reference = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nbformat.read(source, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    notebook = nbformat.read(released, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in reference:
            continue
        body = bodies.get(grade_id)
        source = reference[grade_id] if body is None else replace_solution(reference[grade_id], body)
        cell.source = solution_body(source)
    unknown = set(bodies) - set(reference)
    if unknown:
        raise KeyError(f"no solution cells named {sorted(unknown)} in {source}")
    return notebook
