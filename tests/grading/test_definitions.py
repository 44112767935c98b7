"""definitions_only: what the graded run keeps of a solution cell."""

import ast

import pytest

from cs231n_utils.grading.definitions import definitions_only

KEPT = [
    "import numpy as np",
    "from math import sqrt as root",
    "def f(x, y=1, *args, z=None, **kw):\n    return x",
    "def f(x=-1.5, shape=(2, 3), dtype=np.float64, names={'a': 1}):\n    pass",
    "def f(x: np.ndarray) -> tuple:\n    return x",
    "EPS = 1e-8",
    "LIMIT = 2 ** -10",
    "class Net(object):\n    '''doc'''\n    size = 3\n    @property\n    def n(self):\n        return 1\n"
    "    @n.setter\n    def n(self, v):\n        pass\n    @staticmethod\n    def g():\n        pass",
    "class Net(nn.Module):\n    def forward(self, x):\n        return x",
    "'''a docstring'''",
    "pass",
]

SKIPPED = [
    "print('hi')",
    "x = np.ones(3)",
    "get_ipython().input_transformers_post.append(lambda lines: lines)",
    "np.allclose = lambda *a, **k: True",
    "builtins.abs = None",
    "@register\ndef f():\n    pass",
    "def f(x=evil()):\n    pass",
    "def f(x: evil()):\n    pass",
    "def f() -> evil():\n    pass",
    "class A(metaclass=Meta):\n    pass",
    "class A(make_base()):\n    pass",
    "class A:\n    x = evil()",
    "class A:\n    def __init_subclass__(cls):\n        evil()",
    "class A:\n    print('body')",
    "@dataclass\nclass A:\n    x: int = 0",
    "if True:\n    def f():\n        pass",
    "try:\n    import torch\nexcept ImportError:\n    pass",
    "for i in range(3):\n    pass",
    "a.b = 1",
    "x = y = [i for i in range(3)]",
    "LIMIT = n ** 2",
]


@pytest.mark.parametrize("source", KEPT)
def test_definitions_are_kept_verbatim(source):
    source = source.replace("np.float64", "float")
    code, skipped = definitions_only(source)
    assert skipped == []
    assert code == source


@pytest.mark.parametrize("source", SKIPPED)
def test_code_that_would_run_is_skipped_and_reported(source):
    code, skipped = definitions_only("import math\n" + source + "\ndef kept():\n    return 1\n")
    assert len(skipped) == 1 and skipped[0].startswith("line 2: ")
    tree = ast.parse(code)
    assert [type(n).__name__ for n in tree.body] == ["Import", "FunctionDef"]


def test_kept_code_keeps_its_line_numbers():
    source = "x = compute()\n\ndef f():\n    raise ValueError\n"
    code, _ = definitions_only(source)
    assert code.splitlines()[2:] == source.splitlines()[2:]
    assert code.splitlines()[0] == ""


def test_a_statement_sharing_a_line_with_a_kept_one_falls_back_to_unparsing():
    code, skipped = definitions_only("import math; evil()\ndef f():\n    return 1\n")
    assert skipped == ["line 1: import math; evil()"]
    assert [type(n).__name__ for n in ast.parse(code).body] == ["Import", "FunctionDef"]


def test_a_syntax_error_is_left_for_the_student_to_see():
    assert definitions_only("def f(:\n") == ("def f(:\n", [])


def test_every_solution_cell_of_the_course_is_kept_whole():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "solutions"
    for path in root.glob("*/*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code" and cell["metadata"].get("nbgrader", {}).get("solution"):
                assert definitions_only("".join(cell["source"]))[1] == [], path


def test_bound_names_are_the_notebooks_not_the_functions():
    from cs231n_utils.grading.definitions import bound_names

    source = ("import numpy as np\nfrom a.b import c as d\nx, (y, z) = 1, (2, 3)\nfor i in range(2):\n    w = i\n"
              "def f(q):\n    local = 1\nclass K:\n    attr = 2\nsquares = [v * v for v in range(3)]\nwith open('f') as fh:\n    pass\n")
    assert bound_names(source) == ["K", "d", "f", "fh", "i", "np", "squares", "w", "x", "y", "z"]
