"""cs231n_utils.notebook_import on small notebooks written in the test."""

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cs231n_utils.notebook_import import NotebookImportError, load_functions, load_notebook


def solution_cell(source):
    return new_code_cell(source, metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": "x", "locked": False, "schema_version": 3}})


def write(path, *cells):
    nbformat.write(new_notebook(cells=list(cells)), path)
    return path


@pytest.fixture
def earlier(tmp_path):
    return write(
        tmp_path / "01_earlier.ipynb",
        new_markdown_cell("# Earlier"),
        new_code_cell("raise RuntimeError('set-up cells are not run')"),
        solution_cell("def double(x):\n    return 2 * np.asarray(x)\n"),
        solution_cell("def triple(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"),
        new_code_cell("assert False, 'test cells are not run'"),
    )


def test_loads_the_functions_of_solution_cells_only(earlier):
    (double,) = load_functions(earlier, "double")
    assert double([1, 2]).tolist() == [2, 4]


def test_names_unpack_in_the_order_asked(earlier):
    triple, double = load_functions(earlier, "triple", "double")
    assert double.__name__ == "double" and triple.__name__ == "triple"


def test_an_unfinished_function_says_which_notebook_to_complete(earlier):
    (triple,) = load_functions(earlier, "triple")
    assert triple.unfinished_in == "01_earlier.ipynb"
    with pytest.raises(NotImplementedError, match="triple from 01_earlier.ipynb is not implemented yet"):
        triple(1)


def test_a_missing_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(NotebookImportError, match="01_gone.ipynb not found in .*submit it too"):
        load_functions(tmp_path / "01_gone.ipynb", "double")


def test_a_missing_function_is_a_clear_error(earlier):
    with pytest.raises(NotebookImportError, match="defines no function halve"):
        load_functions(earlier, "double", "halve")


def test_a_syntax_error_names_the_cell(tmp_path):
    path = write(tmp_path / "bad.ipynb", solution_cell("def f(:\n    pass"))
    with pytest.raises(NotebookImportError, match="bad.ipynb, solution cell 1 has a syntax error"):
        load_notebook(path)


def test_a_cell_that_raises_while_loading_names_the_cell(tmp_path):
    path = write(tmp_path / "bad.ipynb", solution_cell("x = 1 / 0"))
    with pytest.raises(NotebookImportError, match="solution cell 1 raised ZeroDivisionError"):
        load_notebook(path)


def test_a_file_that_is_not_a_notebook_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.ipynb"
    path.write_text("{not json")
    with pytest.raises(NotebookImportError, match="cannot read .*junk.ipynb as a notebook"):
        load_notebook(path)


def test_a_stub_that_was_filled_in_is_not_treated_as_unfinished(tmp_path):
    path = write(tmp_path / "nb.ipynb", solution_cell(
        "def f(x):\n    if x < 0:\n        raise ValueError('negative')\n    return x + 1\n"))
    (f,) = load_functions(path, "f")
    assert f(1) == 2


def test_the_source_notebooks_load_each_other():
    """Every solution notebook's solution cells load cleanly and define no stub."""
    from nbgrader_course import SOLUTIONS

    for path in sorted(SOLUTIONS.rglob("*.ipynb")):
        module = load_notebook(path)
        functions = [v for v in vars(module).values() if callable(v) and getattr(v, "__module__", "") != "numpy"]
        assert functions, f"{path} defines no function in its solution cells"
        stubs = [f.__name__ for f in functions if hasattr(f, "unfinished_in")]
        assert not stubs, f"{path}: unfinished {stubs}"


def setup_cell(source):
    return new_code_cell(source, metadata={"nbgrader": {"solution": False, "grade": False, "grade_id": "setup", "locked": True, "schema_version": 3}})


def test_functions_the_setup_cell_loads_reach_the_solution_cells(earlier):
    """A later notebook's function built on an earlier one works wherever it is loaded;
    the set-up cell is read, not run (its other statements would fail here)."""
    later = write(
        earlier.parent / "02_later.ipynb",
        setup_cell("import does_not_exist\ntwice, = load_functions('01_earlier.ipynb', 'double')\n"),
        solution_cell("def quadruple(x):\n    return twice(twice(x))\n"),
    )
    (quadruple,) = load_functions(later, "quadruple")
    assert quadruple(3) == 12


def test_notebooks_loading_each_other_in_a_circle_is_a_clear_error(tmp_path):
    write(tmp_path / "a.ipynb", setup_cell("f, = load_functions('b.ipynb', 'f')"), solution_cell("def g():\n    pass\n"))
    write(tmp_path / "b.ipynb", setup_cell("g, = load_functions('a.ipynb', 'g')"), solution_cell("def f():\n    pass\n"))
    with pytest.raises(NotebookImportError, match="circle: a.ipynb -> b.ipynb -> a.ipynb"):
        load_notebook(tmp_path / "a.ipynb")


def test_names_passed_as_a_list_are_a_clear_error(earlier):
    with pytest.raises(TypeError, match="separate strings"):
        load_functions(earlier, ["double", "triple"])


def test_spatial_batchnorm_loads_with_the_batchnorm_it_is_built_on():
    from nbgrader_course import SOLUTIONS

    forward, backward = load_functions(
        SOLUTIONS / "layers" / "03_convolution.ipynb", "spatial_batchnorm_forward", "spatial_batchnorm_backward")
    x = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2)
    out, cache = forward(x, np.ones(3), np.zeros(3), {"mode": "train"})
    assert np.allclose(out.mean(axis=(0, 2, 3)), 0) and backward(np.ones_like(out), cache)[0].shape == x.shape


def test_an_unfinished_method_says_which_notebook_to_complete(tmp_path):
    path = write(tmp_path / "05_nets.ipynb", solution_cell(
        "class Net:\n"
        "    def __init__(self):\n        self.params = {}\n"
        "    def loss(self, X, y=None):\n        # YOUR CODE HERE\n        raise NotImplementedError()\n"))
    (Net,) = load_functions(path, "Net")
    with pytest.raises(NotImplementedError, match=r"Net.loss from 05_nets.ipynb is not implemented yet"):
        Net().loss(np.zeros(2))
