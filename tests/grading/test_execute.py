"""SandboxedExecute on small notebooks: definitions only, guarded tests, and a kernel that
misbehaves costs only its own notebook's remaining cells."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cs231n_utils.grading.execute import GRADING_METADATA, SandboxedExecute, release_kept_kernel

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _no_kernel_left():
    yield
    release_kept_kernel()


def answer(source):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "answer", "locked": False}
    return cell


def check(source, grade_id="check"):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": grade_id, "points": 1, "locked": True}
    return cell


def run(tmp_path, *cells, **config):
    notebook = new_notebook(cells=list(cells))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    SandboxedExecute(timeout=config.pop("timeout", 60), **config).preprocess(notebook, {"metadata": {"path": str(tmp_path)}})
    return notebook


def errors(cell):
    return [o.ename for o in cell.outputs if o.output_type == "error"]


def text(cell):
    return "".join(o.get("text", "") for o in cell.outputs)


def test_top_level_code_of_an_answer_cell_does_not_run(tmp_path):
    notebook = run(tmp_path,
                   answer("def f():\n    return 1\nprint('top level ran')\nget_ipython().input_transformers_post.append(lambda l: [])"),
                   check("assert f() == 1\nprint('checked')"))
    assert "top level ran\n" not in [o.get("text") for o in notebook.cells[0].outputs]
    assert "it skipped:\n  line 3: print('top level ran')" in text(notebook.cells[0])
    assert errors(notebook.cells[1]) == [] and "checked" in text(notebook.cells[1])


def test_tampering_during_a_test_fails_that_test(tmp_path):
    notebook = run(tmp_path,
                   answer("def f():\n    import numpy\n    numpy.allclose = lambda *a, **k: True\n    return 0"),
                   check("import numpy as np\nvalue = f()\nassert np.allclose(value, 1)", "tampered"),
                   check("import numpy as np\nassert not np.allclose(0, 1)", "after"))
    tampered, after = notebook.cells[1], notebook.cells[2]
    assert errors(tampered) == ["GraderStateModified"]
    assert tampered.metadata[GRADING_METADATA]["guard"] == ["numpy.allclose was replaced"]
    assert errors(after) == []


def test_hidden_part_failure_is_recorded(tmp_path):
    notebook = run(tmp_path, answer("def f():\n    return 1"),
                   check("assert f() == 1\nprint('visible')\n### BEGIN HIDDEN TESTS\nprint('hidden')\nassert f() == 2\n### END HIDDEN TESTS"))
    record = notebook.cells[1].metadata[GRADING_METADATA]
    assert record["failed_in"] == "hidden" and record["hidden_outputs"] == [1, 3]


def test_a_warning_in_a_test_cell_is_not_on_stderr(tmp_path):
    notebook = run(tmp_path, check("import sys, warnings\nwarnings.warn('harmless')\nprint('to stderr', file=sys.stderr)"))
    assert errors(notebook.cells[0]) == []
    assert {o.name for o in notebook.cells[0].outputs if o.output_type == "stream"} == {"stdout"}


def test_a_kernel_that_ignores_interrupts_is_stopped_and_later_cells_say_why(tmp_path):
    notebook = run(tmp_path,
                   answer("def spin():\n    import signal\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n        pass"),
                   check("spin()", "spins"), check("assert True", "later"),
                   timeout=3, interrupt_grace=2)
    assert errors(notebook.cells[1]) == ["CellTimeoutError"]
    assert errors(notebook.cells[2]) == ["KernelStopped"]


def test_a_dead_kernel_stops_the_notebook_not_the_run(tmp_path):
    notebook = run(tmp_path, answer("def quit():\n    import os\n    os._exit(0)"), check("quit()", "exits"), check("assert True", "later"))
    assert errors(notebook.cells[1]) == ["DeadKernelError"]
    assert errors(notebook.cells[2]) == ["KernelStopped"]


def test_an_output_flood_is_capped(tmp_path):
    notebook = run(tmp_path, check("for _ in range(2000):\n    print('x' * 10000)"), max_output_bytes=100_000)
    size = len(nbformat.writes(notebook))
    assert size < 300_000 and "dropped by the autograder" in text(notebook.cells[0])


def test_rebinding_a_name_of_the_notebook_fails_the_next_test(tmp_path):
    setup = new_code_cell("def rel_error(a, b):\n    return abs(a - b)")
    notebook = run(tmp_path, setup, answer("def rel_error(a, b):\n    return 0.0\ndef f():\n    return 5"),
                   check("assert rel_error(f(), 1) < 1e-9", "uses_helper"), check("assert rel_error(1, 1) == 0", "after"))
    assert errors(notebook.cells[2]) == ["AssertionError", "GraderStateModified"]
    assert notebook.cells[2].metadata[GRADING_METADATA]["guard"] == ["the notebook's 'rel_error' was rebound"]
    assert errors(notebook.cells[3]) == []


def test_a_result_shown_in_a_test_cell_is_not_partial_credit(tmp_path):
    notebook = run(tmp_path, answer("def f():\n    import sys\n    sys.displayhook(9)\n"), check("f()"))
    assert [o.output_type for o in notebook.cells[1].outputs] == ["display_data"]


# -- one kernel for a submission's notebooks ----------------------------------------------

# A file in the sandbox's own /scratch: there in the same kernel, gone in a new one.
MARK = "open('/scratch/mark', 'w').write('first')"
SAME_KERNEL = "import os\nassert os.path.exists('/scratch/mark'), 'a new kernel'"
NEW_KERNEL = "import os\nassert not os.path.exists('/scratch/mark'), 'the last notebook\\'s kernel'"


def test_the_next_notebook_reuses_a_clean_kernel_as_new(tmp_path):
    first = run(tmp_path, check(f"import torch\n{MARK}\ntorch.set_default_dtype(torch.float64)\nleft_over = 1\n"
                                "from tqdm.std import tqdm\nfor _ in tqdm(range(3)):\n    pass  # a progress bar leaves no thread"))
    second = run(tmp_path, check(SAME_KERNEL + "\nimport torch\nassert 'left_over' not in globals()\n"
                                 "assert torch.get_default_dtype() == torch.float32\nassert len(In) == 2  # as in a new kernel: In[0] is empty"))
    assert errors(first.cells[0]) == [] and errors(second.cells[0]) == []
    assert second.cells[0].execution_count == 1


@pytest.mark.parametrize("leftover", [
    "import threading, time\nthreading.Thread(target=time.sleep, args=(30,), daemon=True).start()",
    "import subprocess\nsubprocess.Popen(['sleep', '30'])",
])
def test_a_kernel_with_something_left_running_is_not_reused(tmp_path, leftover):
    first = run(tmp_path, check(f"{MARK}\n{leftover}"))
    second = run(tmp_path, check(NEW_KERNEL))
    assert errors(first.cells[0]) == [] and errors(second.cells[0]) == []


def test_a_kernel_changed_after_the_last_test_is_not_reused(tmp_path):
    first = run(tmp_path, check(MARK), new_code_cell("import numpy\nnumpy.allclose = lambda *a, **k: True"))
    second = run(tmp_path, check(NEW_KERNEL + "\nimport numpy as np\nassert not np.allclose(0, 1)"))
    assert errors(first.cells[0]) == [] and errors(second.cells[0]) == []


def test_a_kernel_that_failed_a_guard_is_not_reused(tmp_path):
    run(tmp_path, answer("def f():\n    import numpy\n    numpy.allclose = lambda *a, **k: True"), check(f"{MARK}\nf()"))
    second = run(tmp_path, check(NEW_KERNEL))
    assert errors(second.cells[0]) == []


def test_another_folder_never_gets_the_kernel(tmp_path):
    (tmp_path / "alice").mkdir(), (tmp_path / "bob").mkdir()
    run(tmp_path / "alice", check(MARK))
    other = run(tmp_path / "bob", check(NEW_KERNEL))
    assert errors(other.cells[0]) == []


def test_no_kernel_reuse_when_switched_off(tmp_path):
    run(tmp_path, check(MARK), reuse_kernel=False)
    second = run(tmp_path, check(NEW_KERNEL), reuse_kernel=False)
    assert errors(second.cells[0]) == []
