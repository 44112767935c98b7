"""kernel_guard: each way of faking a pass is found, reported and undone; honest runs are clean."""

import builtins
import json
import sys

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

from cs231n_utils import gradcheck
from cs231n_utils.grading import kernel_guard


@pytest.fixture
def shell():
    shell = InteractiveShell.instance()
    kernel_guard._state.clear()
    assert json.loads(kernel_guard.install(shell)) == []
    yield shell
    sys.meta_path.remove(kernel_guard._state["finder"])
    kernel_guard._state.clear()
    InteractiveShell.clear_instance()


def restored() -> list[str]:
    return json.loads(kernel_guard.restore())


def test_an_honest_session_changes_nothing(shell):
    shell.run_cell("import numpy as np\nx = np.ones(3)\nassert np.allclose(x, 1)")
    assert restored() == []


def test_a_patched_numpy_function_is_put_back(shell):
    original = np.allclose
    np.allclose = lambda *args, **kwargs: True
    assert restored() == ["numpy.allclose was replaced"]
    assert np.allclose is original and not np.allclose(0, 1)


def test_a_swapped_function_body_is_put_back(shell):
    code = np.testing.assert_allclose.__code__
    np.testing.assert_allclose.__code__ = (lambda *args, **kwargs: None).__code__
    assert any(f.endswith("assert_allclose's code or defaults were changed") for f in restored())
    assert np.testing.assert_allclose.__code__ is code


def test_the_course_package_and_builtins_are_guarded(shell):
    original_abs, original_check = builtins.abs, gradcheck.rel_error
    builtins.abs = lambda x: 0
    gradcheck.rel_error = lambda *args: 0.0
    found = restored()
    assert "builtins.abs was replaced" in found and "cs231n_utils.gradcheck.rel_error was replaced" in found
    assert builtins.abs is original_abs and gradcheck.rel_error is original_check


def test_an_input_transformer_is_removed(shell):
    shell.input_transformers_post.append(lambda lines: ["try:\n"] + ["    " + l for l in lines] + ["except Exception:\n    pass\n"])
    assert restored() == ["IPython's input_transformers_post were changed"]
    result = shell.run_cell("raise ValueError('still raised')")
    assert isinstance(result.error_in_exec, ValueError)


def test_an_event_callback_is_removed(shell):
    def clear_error(result):
        result.error_in_exec = None

    shell.events.register("post_run_cell", clear_error)
    assert restored() == ["callbacks of IPython's 'post_run_cell' event were changed"]
    assert clear_error not in shell.events.callbacks["post_run_cell"]


def test_a_method_patched_on_the_shell_or_its_class_is_put_back(shell):
    original = InteractiveShell.showtraceback
    shell.run_cell = lambda *args, **kwargs: None
    InteractiveShell.showtraceback = lambda *args, **kwargs: None
    found = restored()
    assert "the IPython shell.run_cell was patched on the instance" in found
    assert "InteractiveShell.showtraceback was replaced" in found
    assert InteractiveShell.showtraceback is original and "run_cell" not in vars(shell)


def test_sys_hooks_and_tracing_are_reset(shell):
    hook = sys.excepthook
    sys.excepthook = lambda *args: None
    found = restored()
    assert found == ["sys.excepthook was replaced"] and sys.excepthook is hook


def test_a_module_imported_after_install_is_recorded_when_its_import_ends(shell):
    sys.modules.pop("numpy.polynomial.hermite", None)
    kernel_guard.PROTECTED_PREFIXES += ("numpy.polynomial.hermite",)
    try:
        import numpy.polynomial.hermite as hermite

        original = hermite.hermval
        hermite.hermval = None
        assert "numpy.polynomial.hermite.hermval was replaced" in restored()
        assert hermite.hermval is original
    finally:
        kernel_guard.PROTECTED_PREFIXES = kernel_guard.PROTECTED_PREFIXES[:-1]


def test_matplotlib_inline_callbacks_are_accepted_and_look_alikes_are_not(shell):
    shell.run_cell("import matplotlib\nmatplotlib.use('module://matplotlib_inline.backend_inline')\nimport matplotlib.pyplot as plt")
    shell.run_cell("plt.plot([1, 2])")
    assert restored() == []

    def flush_figures():
        pass

    shell.events.register("post_execute", flush_figures)
    assert restored() == ["callbacks of IPython's 'post_execute' event were changed"]
