"""`assignments/` is exactly nbgrader's release of `solutions/`, and keeps no secret."""

import filecmp
from pathlib import Path

import nbformat
import pytest

from nbgrader_course import ASSIGNMENTS, REPO, SOLUTIONS, Course
from secret_lines import find_leaks, find_secrets

ASSIGNMENT_IDS = sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir())


def relative_files(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts}


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory) -> Path:
    course = Course(tmp_path_factory.mktemp("release"))
    for assignment in ASSIGNMENT_IDS:
        course.nbgrader("generate_assignment", assignment, "--force", "--no-db")
    return course.root / "assignments"


def test_every_assignment_has_source_notebooks():
    assert ASSIGNMENT_IDS, "solutions/ holds no assignment"
    for assignment in ASSIGNMENT_IDS:
        assert list((SOLUTIONS / assignment).glob("*.ipynb")), f"solutions/{assignment} has no notebook"


@pytest.mark.slow
def test_committed_release_equals_a_fresh_release(fresh_release):
    committed, fresh = relative_files(ASSIGNMENTS), relative_files(fresh_release)
    assert committed == fresh, (
        f"missing from assignments/: {sorted(map(str, fresh - committed))}; "
        f"not from solutions/: {sorted(map(str, committed - fresh))}. Run `make release`."
    )
    for name in sorted(fresh):
        a, b = ASSIGNMENTS / name, fresh_release / name
        if name.suffix == ".ipynb":
            same = nbformat.read(a, as_version=4) == nbformat.read(b, as_version=4)
        else:
            same = filecmp.cmp(a, b, shallow=False)
        assert same, f"assignments/{name} differs from a fresh release: edit solutions/ and run `make release`"


def test_released_notebooks_have_student_stubs_and_no_outputs():
    for path in sorted(ASSIGNMENTS.rglob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        solution_cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution")]
        assert solution_cells, f"{path} has no student cell"
        for cell in solution_cells:
            assert "raise NotImplementedError()" in cell.source, f"{path}: a solution cell lost its stub"
        assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code"), f"{path} has outputs"


def test_secret_scanner_finds_the_solution_lines():
    secrets = find_secrets(SOLUTIONS)
    lines = {s.line for s in secrets}
    assert any("BEGIN" not in line and "@" in line for line in lines), "no solution line found: scanner broken"
    assert any(s.grade_id.endswith(("values", "gradcheck")) for s in secrets), "no hidden-test line found"


def test_scanner_catches_a_planted_leak(tmp_path):
    secret = find_secrets(SOLUTIONS)[0]
    (tmp_path / "leak.py").write_text(f"# copied\n    {secret.line}\n")
    assert find_leaks([secret], [tmp_path], {".py"})


@pytest.mark.parametrize("place", ["assignments", "cs231n_utils"])
def test_no_solution_or_hidden_test_leaks_into(place):
    leaks = find_leaks(find_secrets(SOLUTIONS), [REPO / place], {".ipynb", ".py", ".md", ".txt", ".json"})
    assert not leaks, "secret lines outside solutions/:\n" + "\n".join(leaks)
