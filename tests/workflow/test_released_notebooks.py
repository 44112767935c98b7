"""The released notebooks run as a student first opens them.

Everything before the first student cell (imports, set-up) must run cleanly. After it,
the only error allowed is the stub's NotImplementedError, raised where the tests call
the unimplemented functions: a NameError or ImportError there would be the course's bug.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nbgrader_course import ASSIGNMENTS, course_env

RELEASED = sorted(ASSIGNMENTS.rglob("*.ipynb"))


def is_student_cell(cell) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("solution"))


def execute(notebook, folder: Path):
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    return client.execute(env=course_env())


def errors_of(cell) -> list[str]:
    return [o.ename for o in cell.get("outputs", []) if o.output_type == "error"]


@pytest.mark.slow
@pytest.mark.parametrize("path", RELEASED, ids=lambda p: str(p.relative_to(ASSIGNMENTS)))
def test_released_notebook_runs_to_the_first_student_cell_and_then_only_hits_stubs(path):
    notebook = execute(nbformat.read(path, as_version=4), path.parent)
    first_student = next(i for i, c in enumerate(notebook.cells) if is_student_cell(c))
    for index, cell in enumerate(notebook.cells[:first_student]):
        assert not errors_of(cell), f"cell {index} fails before any student code: {errors_of(cell)}"
    later = [e for cell in notebook.cells[first_student:] for e in errors_of(cell)]
    assert later, "no test cell noticed the unimplemented functions"
    assert set(later) == {"NotImplementedError"}, f"errors other than the stubs': {later}"
