"""The built book, shared by the test modules of this folder: built once per test run.

The build is the one `make book` runs (warnings are errors, nitpicky references, every
chapter executed), written into pytest's temporary folder so that it never touches the
repository's _build/. test_book.py reads its HTML; test_browser.py opens it in Chromium.

`make test` runs pytest with `-n 2 --dist loadfile`, which hands out tests file by file
(the `xdist_group` marks only group under `--dist loadgroup`), so the two modules may run
on different workers. A session fixture alone would then build the book once per worker:
instead the first worker that asks builds into the run's shared temporary folder while
holding a file lock, and every later one (same worker or another) reads that build.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from nbgrader_course import course_env

REPO = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 600
# How much of a failed build's output the failure shows.
FAILURE_TAIL_CHARS = 6000


@dataclass
class Build:
    result: subprocess.CompletedProcess
    html: Path

    def read(self, page: str) -> str:
        return (self.html / page).read_text(encoding="utf-8")

    def pages(self) -> set[str]:
        """Every built HTML page, relative to the html folder (theme templates excluded)."""
        return {
            p.relative_to(self.html).as_posix()
            for p in self.html.rglob("*.html")
            if not p.relative_to(self.html).parts[0].startswith("_")
        }


def _build_command(out: Path) -> list[str]:
    bin_dir = Path(sys.executable).parent
    return [
        str(bin_dir / "jupyter-book"), "build", str(REPO),
        "--path-output", str(out),
        "--warningiserror", "--nitpick", "--keep-going",
    ]


def _text(output: str | bytes | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def _run_build(out: Path, record: Path) -> None:
    """Build into `out` and write the outcome to `record` (JSON), last: its presence
    means the build finished, whether it passed or failed."""
    shutil.rmtree(out, ignore_errors=True)  # left by a worker killed mid-build
    out.mkdir(parents=True)
    cmd = _build_command(out)
    try:
        result = subprocess.run(
            cmd, cwd=REPO, env=course_env(), capture_output=True, text=True,
            timeout=BUILD_TIMEOUT_S, check=False,
        )
        returncode, stdout, stderr = result.returncode, result.stdout, result.stderr
    except subprocess.TimeoutExpired as exc:
        # TimeoutExpired holds bytes even with text=True.
        returncode, stdout = -1, _text(exc.stdout)
        stderr = f"{_text(exc.stderr)}\njupyter-book build ran past {BUILD_TIMEOUT_S} s"
    record.write_text(json.dumps({"args": cmd, "returncode": returncode, "stdout": stdout, "stderr": stderr}))


@pytest.fixture(scope="session")
def book(tmp_path_factory: pytest.TempPathFactory) -> Build:
    # Under xdist each worker's basetemp is <run folder>/popen-gwN: the run folder is
    # the one place all workers of this run (and no other run) share.
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out, record = shared / "book", shared / "book-build.json"
    with open(shared / "book-build.lock", "w") as lock:
        # Blocks while another worker builds; the lock goes with its process if it dies.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.is_file():
            _run_build(out, record)
    outcome = json.loads(record.read_text())
    result = subprocess.CompletedProcess(
        outcome["args"], outcome["returncode"], stdout=outcome["stdout"], stderr=outcome["stderr"]
    )
    if result.returncode != 0:
        # Every test of the book needs the build: show why it failed instead of missing files.
        tail = (result.stdout + result.stderr)[-FAILURE_TAIL_CHARS:]
        pytest.fail(f"jupyter-book build exited {result.returncode}:\n{tail}")
    return Build(result=result, html=out / "_build" / "html")
