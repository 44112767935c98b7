"""The hardened autograder against the adversarial catalogue (tests/catalogue/attacks.py).

One class-scoped fixture builds a course holding only the pilot notebook, a folder of
submissions and grades them all with the instructor's one command,

    python -m cs231n_utils.grading pilot SUBMISSIONS --course COURSE --jobs 2 \\
        --timeout 15 --memory-gib 1.5 --no-progress

The submissions: canaries graded first (``aa_honest``: the reference solution,
``aa_blank``: the released notebook untouched) and last (``zz_honest``, ``zz_blank``), and
one student ``attack_<name>`` per attack. The tests then check, one test id per attack
where it applies:

- every attack scores 0; where the catalogue says so, the summary reports the problem
  (kernel died, kernel stopped, time limit, tampering); an attack's ``success_marker``
  (harm the score does not show: a file written, memory filled) is not in its outputs;
- the canaries score full marks (honest) and 0 (blank), before and after the attacks;
- the command exits 0, and every student is in ``grades.csv`` and ``summary.json``;
- what the attacks aim at is unchanged: the source notebooks, the release, the config,
  the gradebook's assignment definition (and no manual score or extra credit appears),
  every student's submitted copy, the canaries' graded notebooks;
- no process of the sandbox user (uid 65534) started from this course remains;
- no feedback page quotes a line of the hidden tests (a stripped line of at least 8
  characters between the HIDDEN TESTS markers that the released notebook does not hold).

The outcome per attack is tabled in the catalogue's docstring. ``graded.seconds`` is the
command's wall time (about 140 s for 46 students on 2 idle cores; the grading dominates).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import nbformat
import pytest

from catalogue.attacks import ATTACKS, NOTEBOOK, TEST_CELLS, Attack, hidden_test_lines
from nbgrader_course import SOLUTIONS, Course, course_env, student_notebook

ASSIGNMENT = "pilot"
HONEST, BLANK = ("aa_honest", "zz_honest"), ("aa_blank", "zz_blank")
CANARIES = HONEST + BLANK
STUDENTS = CANARIES + tuple(a.student for a in ATTACKS)
NOBODY = 65534
# Stops the 3 GiB memory bomb. 1 GiB would be tighter, but then `import torch` fails in
# the kernel ("libtorch_cpu.so: failed to map segment"): the limit is on address space,
# which ipykernel's threads and torch's libraries reserve far beyond what they use.
MEMORY_GIB = "1.5"
GRADING_LIMIT_S = 1800  # the whole command; a hang fails the tests instead of blocking them
# What no submission may change: the course's sources, release and config.
PROTECTED = ["solutions", "assignments", "nbgrader_config.py"]
# The gradebook tables that define the assignment; grading writes only the others.
DEFINITION_TABLES = ("course", "assignment", "notebook", "base_cell", "source_cell",
                     "grade_cells", "solution_cells", "task_cells")


@dataclass
class Graded:
    course: Path
    submissions: Path
    command: subprocess.CompletedProcess
    seconds: float
    summary: dict
    grades: dict[str, dict]  # student -> their grades.csv row
    before: dict[str, str]  # protected file -> hash, taken before grading
    gradebook_before: str
    leftover_processes: list[str]

    def result(self, student: str) -> dict:
        return self.summary["results"][student]

    def log(self, student: str) -> str:
        path = self.course / "grading" / ASSIGNMENT / f"{student}.log"
        return path.read_text(errors="replace") if path.exists() else "(no log)"


# -- helpers ----------------------------------------------------------------------------

def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_hashes(root: Path, folders: list[str]) -> dict[str, str]:
    """relative path -> hash of every file under ``root/<folder>`` (and the file itself
    when a "folder" is a file)."""
    hashes = {}
    for name in folders:
        top = root / name
        for path in ([top] if top.is_file() else sorted(top.rglob("*"))):
            if path.is_file():
                hashes[str(path.relative_to(root))] = file_hash(path)
    return hashes


def protected_hashes(course: Path, submissions: Path) -> dict[str, str]:
    """Hashes of the course's protected files and of every file handed in."""
    inputs = {f"input/{name}": digest for name, digest in tree_hashes(submissions, ["."]).items()}
    return {**tree_hashes(course, PROTECTED), **inputs}


def gradebook_definitions(course: Path) -> str:
    """The assignment as the gradebook defines it (cells, sources, points), as text."""
    with sqlite3.connect(course / "gradebook.db") as db:
        return "\n".join(f"{table}: {sorted(map(repr, db.execute(f'SELECT * FROM {table}')))}"
                         for table in DEFINITION_TABLES)


def sandbox_processes(course: Path) -> list[str]:
    """Processes of the sandbox user whose working directory lies in ``course`` (other
    courses may be graded on this machine at the same time)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
            cwd = os.readlink(entry / "cwd")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, AttributeError):
            continue  # gone meanwhile
        if uid == NOBODY and cwd.startswith(str(course)):
            found.append(f"pid {entry.name}: {cmdline[:200]} (cwd {cwd})")
    return found


def page_text(path: Path) -> str:
    """A feedback page as a reader sees it: tags removed, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8", errors="replace")))


def notebook_lines(path: Path) -> set[str]:
    return {line.strip() for cell in nbformat.read(path, as_version=4).cells for line in cell.source.splitlines()}


def printed_text(notebook: nbformat.NotebookNode) -> str:
    """What the notebook's cells printed or displayed (not tracebacks, which quote the
    source of the line that failed)."""
    return "\n".join(output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
                     for cell in notebook.cells for output in cell.get("outputs", []))


def write_submissions(folder: Path, released: Path, source: Path) -> None:
    """One folder per student, each holding the pilot notebook (and what an attack adds)."""
    notebooks = {
        "aa_honest": student_notebook(released, source), "zz_honest": student_notebook(released, source),
        "aa_blank": nbformat.read(released, as_version=4), "zz_blank": nbformat.read(released, as_version=4),
    }
    for attack in ATTACKS:
        notebooks[attack.student] = student_notebook(released, source, attack.bodies)
    for student, notebook in notebooks.items():
        (folder / student).mkdir(parents=True)
        nbformat.write(notebook, folder / student / NOTEBOOK)
    for attack in ATTACKS:
        if attack.tamper is not None:
            attack.tamper(folder / attack.student)


def grade(course: Path, submissions: Path) -> tuple[subprocess.CompletedProcess, float]:
    command = [sys.executable, "-m", "cs231n_utils.grading", ASSIGNMENT, str(submissions),
               "--course", str(course), "--jobs", "2", "--timeout", "15", "--memory-gib", MEMORY_GIB, "--no-progress"]
    started = time.monotonic()
    result = subprocess.run(command, cwd=course, env=course_env(), capture_output=True, text=True,
                            timeout=GRADING_LIMIT_S)
    return result, time.monotonic() - started


def read_grades(course: Path) -> dict[str, dict]:
    path = course / "grades.csv"
    if not path.exists():
        return {}
    with open(path, newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == ASSIGNMENT}


def outputs_of_test_cells(graded: Graded, student: str) -> str:
    """The kinds of output of each test cell of a student's graded notebook (or the log)."""
    path = graded.course / "autograded" / student / ASSIGNMENT / NOTEBOOK
    if not path.exists():
        return graded.log(student)[-3000:]
    lines = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            kinds = [o.get("ename") or o.get("output_type") for o in cell.get("outputs", [])]
            lines.append(f"{cell.metadata['nbgrader']['grade_id']}: {kinds}")
    return "\n".join(lines)


# -- the tests ----------------------------------------------------------------------------

@pytest.mark.slow
class TestAdversarialGrading:

    @pytest.fixture(scope="class")
    def graded(self, tmp_path_factory) -> Graded:
        course = Course(tmp_path_factory.mktemp("course-adversarial"), only={ASSIGNMENT: [NOTEBOOK]})
        course.nbgrader("generate_assignment", ASSIGNMENT, "--force")
        root = course.root.resolve()
        submissions = tmp_path_factory.mktemp("submissions")
        released, source = root / "assignments" / ASSIGNMENT / NOTEBOOK, SOLUTIONS / ASSIGNMENT / NOTEBOOK
        write_submissions(submissions, released, source)
        before, gradebook_before = protected_hashes(root, submissions), gradebook_definitions(root)

        command, seconds = grade(root, submissions)
        time.sleep(5)  # what a detached child would do after a few seconds, it has done
        summary_path = root / "grading" / ASSIGNMENT / "summary.json"
        summary = json.loads(summary_path.read_text()) if summary_path.exists() else {"results": {}}
        return Graded(root, submissions, command, seconds, summary, read_grades(root), before,
                      gradebook_before, sandbox_processes(root))

    # the command

    def test_the_command_exits_0(self, graded):
        output = graded.command.stdout[-3000:] + graded.command.stderr[-3000:]
        assert graded.command.returncode == 0, f"after {graded.seconds:.0f} s:\n{output}"

    def test_every_student_is_in_the_summary_and_grades_csv(self, graded):
        assert set(graded.summary["results"]) == set(STUDENTS)
        assert set(graded.grades) == set(STUDENTS)
        assert graded.summary["students"] == len(STUDENTS)

    # the canaries

    @pytest.mark.parametrize("student", HONEST)
    def test_honest_canary_gets_full_marks(self, graded, student):
        result = graded.result(student)
        assert result["max_score"] == 8
        assert result["score"] == result["max_score"], graded.log(student)
        assert float(graded.grades[student]["score"]) == 8
        assert result["problems"] == []

    @pytest.mark.parametrize("student", BLANK)
    def test_blank_canary_scores_zero(self, graded, student):
        result = graded.result(student)
        assert result["score"] == 0 and result["max_score"] == 8, graded.log(student)

    @pytest.mark.parametrize("student", CANARIES)
    def test_canary_notebook_was_graded_and_kept(self, graded, student):
        graded_notebook = graded.course / "autograded" / student / ASSIGNMENT / NOTEBOOK
        cells = nbformat.read(graded_notebook, as_version=4).cells
        grade_ids = {c.metadata.get("nbgrader", {}).get("grade_id") for c in cells}
        assert set(TEST_CELLS) <= grade_ids

    # the attacks

    @pytest.mark.parametrize("attack", [
        pytest.param(a, marks=pytest.mark.xfail(strict=True, reason=a.known_limit)) if a.known_limit else a
        for a in ATTACKS], ids=lambda a: a.name)
    def test_attack_scores_zero(self, graded, attack: Attack):
        result = graded.result(attack.student)
        score = float(graded.grades[attack.student]["score"])
        assert score == 0 and result["score"] in (0, None), (
            f"{attack.name} ({attack.why}) scored {score}: {result}\n{outputs_of_test_cells(graded, attack.student)}")

    @pytest.mark.parametrize("attack", [a for a in ATTACKS if a.reported], ids=lambda a: a.name)
    def test_attack_problem_is_reported(self, graded, attack: Attack):
        problems = graded.result(attack.student)["problems"]
        assert any(attack.reported in p for p in problems), f"expected {attack.reported!r} among {problems}"

    @pytest.mark.parametrize("attack", [a for a in ATTACKS if a.success_marker], ids=lambda a: a.name)
    def test_attack_did_not_succeed_in_the_sandbox(self, graded, attack: Attack):
        path = graded.course / "autograded" / attack.student / ASSIGNMENT / NOTEBOOK
        printed = printed_text(nbformat.read(path, as_version=4))
        assert attack.success_marker not in printed, f"{attack.name}: {attack.why}"

    # what the attacks aim at

    def test_sources_release_config_and_submissions_unchanged(self, graded):
        assert protected_hashes(graded.course, graded.submissions) == graded.before

    def test_gradebook_definitions_unchanged_and_no_manual_scores(self, graded):
        assert gradebook_definitions(graded.course) == graded.gradebook_before
        with sqlite3.connect(graded.course / "gradebook.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert db.execute("SELECT COUNT(*) FROM grade WHERE manual_score IS NOT NULL "
                              "OR extra_credit IS NOT NULL").fetchone() == (0,)

    @pytest.mark.parametrize("student", STUDENTS)
    def test_submitted_copy_is_the_students_notebook(self, graded, student):
        submitted = graded.course / "submitted" / student / ASSIGNMENT
        assert file_hash(submitted / NOTEBOOK) == graded.before[f"input/{student}/{NOTEBOOK}"]
        assert sorted(p.name for p in submitted.iterdir()) in ([NOTEBOOK], [NOTEBOOK, "timestamp.txt"])

    def test_no_sandbox_process_remains(self, graded):
        assert graded.leftover_processes == [] and sandbox_processes(graded.course) == []

    @pytest.mark.parametrize("student", STUDENTS)
    def test_feedback_quotes_no_hidden_test(self, graded, student):
        source = graded.course / "solutions" / ASSIGNMENT / NOTEBOOK
        released = graded.course / "assignments" / ASSIGNMENT / NOTEBOOK
        secret = hidden_test_lines(source) - notebook_lines(released)
        assert secret, "the pilot notebook has no hidden test lines to look for"
        pages = list((graded.course / "feedback" / student / ASSIGNMENT).glob("*.html"))
        leaks = {line for page in pages for line in secret if line in page_text(page)}
        assert not leaks, f"{student}'s feedback quotes hidden tests: {sorted(leaks)[:5]}"
