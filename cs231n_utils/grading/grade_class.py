"""Grade a whole class in one command, with nbgrader's own CLI doing each step.

    python -m cs231n_utils.grading layers submissions.zip --jobs 2

run from the course directory (the repository root, where ``nbgrader_config.py`` and
``gradebook.db`` are). SUBMISSIONS is a folder or a ``.zip`` holding either

- one folder per student: ``<student>/<notebook>.ipynb`` (or
  ``<student>/<assignment>/<notebook>.ipynb``), or
- the files as a learning-management system hands them out, nbgrader's ``zip_collect``
  layout: ``<student>_<notebook>.ipynb`` (or zips of them) side by side, matched by
  ``FileNameCollectorPlugin.named_regexp`` in ``nbgrader_config.py``.

It checks that the sandbox works, copies the notebooks (only ``.ipynb`` files) into
``submitted/``, then for each student runs nbgrader's autograde and generate_feedback
steps (``--jobs`` students at a time in long-lived :mod:`.worker` processes, each student
with a wall-clock limit), then ``nbgrader export`` (``grades.csv``), and prints a summary:
students, mean score, and every student whose grading met a problem, with the reason.
The summary is also written to ``grading/<assignment>/summary.json``, next to each
student's log.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import sandbox

__all__ = ["StudentResult", "grade_class", "main"]

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
MAX_NOTEBOOK_BYTES = 50 * 2**20
# Errors the autograder writes into a notebook when grading could not go normally.
PROBLEM_ERRORS = {
    "KernelStopped": "the kernel was stopped",
    "DeadKernelError": "the kernel died",
    "CellTimeoutError": "a cell ran past the time limit",
    "GraderStateModified": "the submission tampered with the grader's state",
}


class ClassGradingError(RuntimeError):
    """The class cannot be graded as asked; the message says what to change."""


@dataclass
class StudentResult:
    student: str
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0  # autograde and feedback, as the grading command waited for them
    autograde_seconds: float | None = None  # as the worker measured them
    feedback_seconds: float | None = None
    problems: list[str] = field(default_factory=list)


# -- collecting the submissions ------------------------------------------------------

def _unpacked(submissions: Path, workdir: Path, assignment: str) -> Path:
    if submissions.is_dir():
        return submissions
    if zipfile.is_zipfile(submissions):
        target = workdir / "unzipped"
        with zipfile.ZipFile(submissions) as archive:
            for member in archive.infolist():
                # Refuse paths that would land outside the target folder.
                destination = (target / member.filename).resolve()
                if not destination.is_relative_to(target.resolve()):
                    raise ClassGradingError(f"{submissions}: unsafe path in the zip: {member.filename}")
            archive.extractall(target)
        entries = [p for p in target.iterdir() if not p.name.startswith(("__MACOSX", "."))]
        # A zip of the class folder itself (one folder holding the students' folders),
        # unless that one folder is a student's own (<student>/<assignment>/...).
        if len(entries) == 1 and entries[0].is_dir() and not (entries[0] / assignment).is_dir():
            return entries[0]
        return target
    raise ClassGradingError(f"{submissions} is neither a folder nor a zip file")


def _student_folders(folder: Path, assignment: str) -> dict[str, Path] | None:
    """student -> folder holding their notebooks (``<student>/`` or
    ``<student>/<assignment>/``), when ``folder`` has one folder per student."""
    students = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and not entry.name.startswith((".", "__MACOSX")):
            for candidate in (entry / assignment, entry):
                if candidate.is_dir() and any(candidate.glob("*.ipynb")):
                    students[entry.name] = candidate
                    break
    return students or None


def collect(submissions: Path, assignment: str, course: Path, workdir: Path, env: dict) -> dict[str, list[str]]:
    """Put every student's notebooks at submitted/<student>/<assignment>/; returns the
    problems met per student (a skipped file, a bad student id)."""
    folder = _unpacked(submissions, workdir, assignment)
    problems: dict[str, list[str]] = {}
    students = _student_folders(folder, assignment)
    if students is None:
        # The LMS layout: nbgrader's zip_collect sorts the files by its named_regexp.
        archive = course / "downloaded" / assignment / "archive"
        shutil.rmtree(archive.parent, ignore_errors=True)
        archive.mkdir(parents=True)
        for path in folder.iterdir():
            if path.is_file():
                shutil.copy(path, archive / path.name)
        _nbgrader(["zip_collect", assignment, "--force"], course, env)
        return problems
    for student, source in students.items():
        if not STUDENT_ID.match(student):
            problems.setdefault(student, []).append("not graded: the folder name is not a valid student id")
            continue
        target = course / "submitted" / student / assignment
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for path in sorted(source.iterdir()):
            if path.suffix != ".ipynb" and path.name != "timestamp.txt":
                continue  # only notebooks are graded; nothing else may sit beside them
            if path.is_symlink() or not path.is_file():
                problems.setdefault(student, []).append(f"{path.name}: skipped (not a regular file)")
            elif path.stat().st_size > MAX_NOTEBOOK_BYTES:
                problems.setdefault(student, []).append(f"{path.name}: skipped (larger than {MAX_NOTEBOOK_BYTES >> 20} MiB)")
            else:
                shutil.copy(path, target / path.name)
    return problems


# -- grading -------------------------------------------------------------------------

def _nbgrader(args: list[str], course: Path, env: dict) -> None:
    """Run one of nbgrader's CLI commands in the course; stop with its output if it fails."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise ClassGradingError(f"nbgrader {' '.join(args)} failed:\n{(result.stdout + result.stderr)[-2000:]}")


class _Worker:
    """One :mod:`.worker` process; killed whole (with its kernels) when a student overruns."""

    def __init__(self, assignment: str, course: Path, env: dict, options: list[str], log_dir: Path, number: int):
        self.args = [sys.executable, "-m", "cs231n_utils.grading.worker", str(course), assignment, str(log_dir), *options]
        self.course, self.env, self.stderr_path = course, env, log_dir / f"worker-{number}.stderr"
        self.process = None

    def _start(self) -> None:
        with open(self.stderr_path, "a") as stderr:
            self.process = subprocess.Popen(self.args, cwd=self.course, env=self.env, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=stderr, text=True, bufsize=1,
                                            start_new_session=True)
        if self._read(timeout=300) is None:
            raise ClassGradingError(f"a grading worker did not start; see {self.stderr_path}")

    def _read(self, timeout: float) -> dict | None:
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        return json.loads(line) if line else None

    def grade(self, student: str, limit: float) -> StudentResult:
        if self.process is None or self.process.poll() is not None:
            self._start()
        started = time.monotonic()
        self.process.stdin.write(student + "\n")
        self.process.stdin.flush()
        answer = self._read(timeout=limit)
        result = StudentResult(student, seconds=round(time.monotonic() - started, 2))
        if answer is None:
            self.stop()
            result.problems.append(f"grading stopped: ran past the per-student limit of {limit:.0f} s"
                                   if result.seconds >= limit else "the grading worker died (see its stderr log)")
            return result
        result.autograde_seconds, result.feedback_seconds = answer["autograde_seconds"], answer["feedback_seconds"]
        if not answer["autograde"]:
            result.problems.append("nbgrader autograde failed: " + ("; ".join(answer["errors"]) or "see the log"))
        if not answer["feedback"]:
            result.problems.append("feedback could not be generated (see the log)")
        return result

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


def _notebook_problems(course: Path, assignment: str, student: str) -> list[str]:
    problems = []
    for path in sorted((course / "autograded" / student / assignment).glob("*.ipynb")):
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception as exc:  # noqa: BLE001 - a broken file is itself the problem
            problems.append(f"{path.name}: unreadable after grading ({exc})")
            continue
        found = {}
        set_up = True  # the course's cells before the first answer: imports, data
        for cell in notebook.cells:
            flags = cell.metadata.get("nbgrader", {})
            set_up = set_up and not flags.get("solution") and not flags.get("grade")
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                if output.get("ename") in PROBLEM_ERRORS:
                    found.setdefault(output["ename"], output.get("evalue", ""))
                elif set_up:
                    # No student code has run yet: the course's set-up failed (a data set
                    # missing, a memory limit too small for torch), so the grade is wrong.
                    found.setdefault("set-up", f"{output.get('ename')}: {output.get('evalue', '')}")
        for ename, evalue in found.items():
            what = PROBLEM_ERRORS.get(ename, "the notebook's set-up cells failed before any answer ran")
            problems.append(f"{path.name}: {what} ({evalue[:200]})")
    return problems


def _scores(course: Path, assignment: str, results: dict[str, StudentResult]) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, result in results.items():
            try:
                submission = gradebook.find_submission(assignment, student)
            except MissingEntry:
                result.problems.append("no grade in the gradebook")
                continue
            result.score, result.max_score = submission.score, submission.max_score
            # The gradebook knows which notebooks were never submitted.
            for notebook in submission.notebooks:
                if not (course / "submitted" / student / assignment / f"{notebook.name}.ipynb").exists():
                    result.problems.append(f"{notebook.name}.ipynb: not submitted (scored 0)")


def _check_course(course: Path, assignment: str) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    if not (course / "nbgrader_config.py").exists():
        raise ClassGradingError(f"{course} has no nbgrader_config.py: run this from the course directory")
    try:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            gradebook.find_assignment(assignment)
    except MissingEntry:
        raise ClassGradingError(
            f"the gradebook has no assignment {assignment!r}: release it first "
            f"(`make release`, or `nbgrader generate_assignment {assignment}`)") from None


def warm_data_cache(notebooks: list[Path]) -> None:
    """Decode the data sets these notebooks load, once, outside the sandbox: inside it the
    array cache is read-only (a submission must not write what others read), so a cold
    cache would make every kernel decode the data sets again."""
    # Code cells only: a notebook that merely mentions CIFAR-10 in its text needs nothing.
    text = "".join(cell.source for path in notebooks for cell in nbformat.read(path, as_version=4).cells
                   if cell.cell_type == "code").lower()
    from cs231n_utils import data

    for name, loader in (("cifar", data.load_cifar10), ("mnist", data.load_mnist)):
        if name in text:
            try:
                loader()
            except data.DataError as exc:
                print(f"note: the {name} data set could not be loaded ({exc}); notebooks that need it will say so")


def grade_class(assignment: str, submissions: Path, course: Path = Path("."), jobs: int = 2,
                student_limit: float = 3600, options: list[str] | None = None, progress: bool = True,
                memory_gib: float | None = None) -> dict:
    course = course.resolve()
    _check_course(course, assignment)
    options = list(options or [])
    if memory_gib:
        options.append(f"--SandboxedExecute.memory_gib={memory_gib}")
        print(sandbox.check(sandbox.Limits(memory_bytes=int(memory_gib * 2**30))))
    else:
        print(sandbox.check())
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
    # Each student's kernels share the machine with the other jobs' kernels.
    env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // jobs)))
    env.setdefault("OPENBLAS_NUM_THREADS", env["OMP_NUM_THREADS"])
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cs231n-class-") as workdir:
        collect_problems = collect(Path(submissions), assignment, course, Path(workdir), env)
    warm_data_cache(sorted((course / "solutions" / assignment).glob("*.ipynb")))
    students = sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}")
                      if p.is_dir())
    if not students:
        raise ClassGradingError(f"no submissions of {assignment} found in {submissions}")
    log_dir = course / "grading" / assignment
    log_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, StudentResult] = {}
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(students), unit="student", desc=f"grading {assignment}")
    waiting = queue.SimpleQueue()
    for student in students:
        waiting.put(student)

    def work(number: int) -> None:
        worker = _Worker(assignment, course, env, options, log_dir, number)
        try:
            while True:
                try:
                    student = waiting.get_nowait()
                except queue.Empty:
                    return
                results[student] = worker.grade(student, student_limit)
                if bar is not None:
                    bar.update()
        finally:
            worker.stop()

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for done in [pool.submit(work, n) for n in range(min(jobs, len(students)))]:
            done.result()
    if bar is not None:
        bar.close()
    _nbgrader(["export"], course, env)
    _scores(course, assignment, results)
    for student, result in results.items():
        result.problems = collect_problems.get(student, []) + result.problems + _notebook_problems(course, assignment, student)
    for student in set(collect_problems) - set(results):
        results[student] = StudentResult(student, problems=collect_problems[student])
    elapsed = time.monotonic() - started
    summary = _summary(assignment, results, elapsed, jobs)
    (log_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    _print_summary(summary, course)
    return summary


def _summary(assignment: str, results: dict[str, StudentResult], elapsed: float, jobs: int) -> dict:
    scored = [r.score for r in results.values() if r.score is not None]
    timed = [r for r in results.values() if r.autograde_seconds is not None]
    max_score = next((r.max_score for r in results.values() if r.max_score), None)
    return {
        "assignment": assignment,
        "students": len(results),
        "graded": len(scored),
        "mean_score": statistics.fmean(scored) if scored else None,
        "max_score": max_score,
        "seconds": round(elapsed, 1),
        "seconds_per_student": round(elapsed / max(1, len(results)), 2),
        # Per student, inside one worker (two workers share the machine's cores).
        "mean_autograde_seconds": round(statistics.fmean(r.autograde_seconds for r in timed), 2) if timed else None,
        "mean_feedback_seconds": round(statistics.fmean(r.feedback_seconds for r in timed), 2) if timed else None,
        "jobs": jobs,
        "results": {s: asdict(r) for s, r in sorted(results.items())},
    }


def _print_summary(summary: dict, course: Path) -> None:
    print(f"\nGraded {summary['graded']} of {summary['students']} students of {summary['assignment']} "
          f"in {summary['seconds']:.0f} s ({summary['seconds_per_student']:.1f} s per student, "
          f"{summary['jobs']} at a time)")
    if summary["mean_score"] is not None:
        print(f"mean score {summary['mean_score']:.2f} / {summary['max_score']:.2f}")
    failures = {s: r["problems"] for s, r in summary["results"].items() if r["problems"]}
    print(f"students with problems: {len(failures)}")
    for student, problems in failures.items():
        for problem in problems:
            print(f"  {student}: {problem}")
    print(f"grades: {course / 'grades.csv'}; feedback: {course / 'feedback'}/<student>/{summary['assignment']}/; "
          f"logs: {course / 'grading' / summary['assignment']}/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cs231n_utils.grading",
        description="Autograde a whole class in the sandbox: collect, autograde, feedback, grades.csv, summary.")
    parser.add_argument("assignment", help="assignment name, e.g. layers")
    parser.add_argument("submissions", type=Path, help="folder or .zip of submissions")
    parser.add_argument("--course", type=Path, default=Path("."), help="course directory (default: .)")
    parser.add_argument("--jobs", type=int, default=2, help="students graded at a time (default 2)")
    parser.add_argument("--student-limit", type=float, default=3600,
                        help="wall-clock seconds one student's grading may take (default 3600)")
    parser.add_argument("--timeout", type=int, help="seconds a cell may run (nbgrader's Execute.timeout)")
    parser.add_argument("--memory-gib", type=float, help="memory limit of each kernel (default 4)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    options = []
    if args.timeout:
        options.append(f"--Execute.timeout={args.timeout}")
    try:
        grade_class(args.assignment, args.submissions, args.course, args.jobs, args.student_limit,
                    options, progress=not args.no_progress, memory_gib=args.memory_gib)
    except (ClassGradingError, sandbox.SandboxError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
