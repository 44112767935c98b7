"""A long-lived grading worker: nbgrader's autograde and feedback steps, one student at a time.

:mod:`.grade_class` starts ``--jobs`` of these and feeds each a student id per line on
stdin; for each it runs nbgrader's own ``Autograde`` and ``GenerateFeedback`` converters
(what ``nbgrader autograde --student`` and ``nbgrader generate_feedback --student`` run,
configured by the course's ``nbgrader_config.py``), writes the captured nbgrader log to
``LOG_DIR/<student>.log`` and answers with one JSON line on its result channel. Importing
nbgrader takes seconds; paying it once per worker instead of twice per student is most of
what makes a class of 100 fast. Student code never runs in this process: every kernel is
sandboxed (see :mod:`.execute`).

    python -m cs231n_utils.grading.worker COURSE ASSIGNMENT LOG_DIR [--Class.trait=value ...]
"""

from __future__ import annotations

import ast
import json
import os
import sys
import time
from pathlib import Path


def _config(course: Path, options: list[str]):
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    for option in options:  # --Class.trait=value, as on nbgrader's command line
        key, _, value = option.removeprefix("--").partition("=")
        owner, _, trait = key.partition(".")
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed = value
        config.merge(Config({owner: {trait: parsed}}))
    return config


def _run(app) -> dict:
    from nbgrader.utils import capture_log

    result = capture_log(app)
    return {"success": bool(result.get("success")), "log": result.get("log", ""), "error": result.get("error", "")}


def grade(student: str, assignment: str, course: Path, config, log_dir: Path) -> dict:
    from nbgrader.converters import Autograde, GenerateFeedback

    from .execute import release_kept_kernel
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    started = time.monotonic()
    coursedir = CourseDirectory(config=config, root=str(course))
    coursedir.assignment_id, coursedir.student_id = assignment, student
    for attempt in range(3):
        autograde = Autograde(coursedir=coursedir, config=config)
        autograde.force, autograde.create_student = True, True
        try:
            graded = _run(autograde)
        finally:
            release_kept_kernel()  # the student's kernel, kept between their notebooks
        # Students graded at once by other workers can meet on the gradebook's lock.
        if "database is locked" not in graded["log"] + graded["error"]:
            break
        time.sleep(1 + attempt)
    graded_at = time.monotonic()
    feedback_config = Config(config)
    feedback_config.merge(Config({"HTMLExporter": {"template_name": "feedback"}}))
    feedback = _run(GenerateFeedback(coursedir=coursedir, config=feedback_config))
    (log_dir / f"{student}.log").write_text(
        f"== nbgrader autograde {assignment} --student {student}\n{graded['log']}{graded['error']}\n"
        f"== nbgrader generate_feedback {assignment} --student {student}\n{feedback['log']}{feedback['error']}\n")
    done = time.monotonic()
    return {"student": student, "seconds": round(done - started, 2),
            "autograde_seconds": round(graded_at - started, 2), "feedback_seconds": round(done - graded_at, 2),
            "autograde": graded["success"], "feedback": feedback["success"],
            "errors": [line for line in (graded["log"] + graded["error"]).splitlines() if "[ERROR]" in line][-5:]}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    course, assignment, log_dir, options = Path(argv[0]).resolve(), argv[1], Path(argv[2]), argv[3:]
    # Results go out on the original stdout; everything else (nbgrader's logging, what
    # kernels print while they start) goes to stderr, so it cannot corrupt a result line.
    results = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    os.chdir(course)
    config = _config(course, options)
    results.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        student = line.strip()
        if student:
            results.write(json.dumps(grade(student, assignment, course, config, log_dir)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
