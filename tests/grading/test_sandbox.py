"""The grading sandbox isolates what it promises to, and refuses to start otherwise."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from cs231n_utils.grading import sandbox

REPO = Path(__file__).resolve().parents[2]


def run_in_sandbox(tmp_path, code: str, limits=sandbox.Limits()) -> subprocess.CompletedProcess:
    notebook_dir, socket_dir = tmp_path / "notebook", tmp_path / "sockets"
    notebook_dir.mkdir(exist_ok=True)
    socket_dir.mkdir(exist_ok=True)
    (notebook_dir / "submission.ipynb").write_text("{}")
    command = sandbox.sandbox_command([sys.executable, "-P", "-c", code],
                                      sandbox.Binds(notebook_dir, socket_dir, sandbox.default_read_only()), limits)
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=notebook_dir)


def test_check_passes_on_this_machine():
    assert sandbox.check().startswith("sandbox ok (uid 65534")


def test_runs_unprivileged_in_the_notebook_folder(tmp_path):
    result = run_in_sandbox(tmp_path, "import os; print(os.getuid(), os.getgid(), sorted(os.listdir('.')))")
    assert result.stdout.strip().split(maxsplit=2) == ["65534", "65534", "['submission.ipynb']"], result.stderr


@pytest.mark.parametrize("path", [
    REPO / "solutions", REPO / "assignments", REPO / "nbgrader_config.py", Path("/root/.bashrc"), Path("/home"),
    Path("/etc/shadow"),
])
def test_course_files_outside_the_binds_are_invisible(tmp_path, path):
    result = run_in_sandbox(tmp_path, f"import os; print(os.path.exists({str(path)!r}) and os.listdir({str(path)!r}) if os.path.isdir({str(path)!r}) else os.path.exists({str(path)!r}))")
    assert result.stdout.strip() in {"False", "[]"}, (path, result.stdout, result.stderr)


def test_the_course_package_and_numpy_are_importable(tmp_path):
    result = run_in_sandbox(tmp_path, "import numpy, cs231n_utils.gradcheck; print('ok')")
    assert result.stdout.strip() == "ok", result.stderr


@pytest.mark.parametrize("target", [".", "/usr/lib", str(REPO / "cs231n_utils")])
def test_only_scratch_is_writable(tmp_path, target):
    code = (f"import os\ntry:\n    open(os.path.join({target!r}, 'x'), 'w')\n    print('wrote')\nexcept OSError as e:\n    print('refused')\n"
            "open(os.environ['HOME'] + '/ok', 'w').write('1'); print('scratch ok')")
    assert run_in_sandbox(tmp_path, code).stdout.split() == ["refused", "scratch", "ok"]


def test_no_network(tmp_path):
    code = ("import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n    print('connected')\n"
            "except OSError:\n    print('no network')")
    assert run_in_sandbox(tmp_path, code).stdout.strip() == "no network"


def test_sees_no_other_process(tmp_path):
    result = run_in_sandbox(tmp_path, "import os; print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))")
    assert result.stdout.strip() in {"[1, 2]", "[1]", "[2]"}, result.stdout


def test_memory_limit_stops_an_allocation(tmp_path):
    code = "import numpy as np\ntry:\n    np.ones(2 * 2**30 // 8)\n    print('allocated')\nexcept MemoryError:\n    print('MemoryError')"
    result = run_in_sandbox(tmp_path, code, sandbox.Limits(memory_bytes=2**30))
    assert result.stdout.strip() == "MemoryError", result.stderr


def processes_running(token: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if token in cmdline.read_bytes().decode(errors="replace"):
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def test_a_detached_child_dies_with_the_sandbox(tmp_path):
    token = f"{300 + time.time() % 1:.6f}"  # a sleep time no other process uses
    code = ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            f"        os.execv('/usr/bin/sleep', ['sleep', '{token}'])\n"
            "    os._exit(0)\ntime.sleep(0.5)\nprint('parent exits')")
    assert run_in_sandbox(tmp_path, code).stdout.strip() == "parent exits"
    deadline = time.monotonic() + 10
    while processes_running(token) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_running(token) == []


def test_a_missing_bwrap_is_a_clear_error(monkeypatch):
    which = sandbox.shutil.which
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None if name == "bwrap" else which(name))
    monkeypatch.setattr(sandbox.os, "access", lambda path, mode: "bwrap" not in str(path))
    with pytest.raises(sandbox.SandboxError, match="bubblewrap"):
        sandbox.check()


def test_a_data_folder_reached_through_a_symlink_is_readable(tmp_path, monkeypatch):
    real = tmp_path / "real-data"
    real.mkdir()
    (real / "marker.txt").write_text("data")
    (tmp_path / "link").symlink_to(real)
    monkeypatch.setenv("CS231N_DATA", str(tmp_path / "link"))
    result = run_in_sandbox(tmp_path, "import os; print(os.listdir(os.environ['CS231N_DATA']))")
    assert result.stdout.strip() == "['marker.txt']", result.stderr
