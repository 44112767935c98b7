"""Reduce a solution cell to its definitions: what the graded run executes of it.

Every solution cell of the course defines functions or classes (and imports what they
use); nothing in them needs to *run* when the cell runs. The autograder therefore runs
only the cell's definitions, so that code a submission puts at the top level of a cell
(registering an IPython input transformer, patching ``numpy.allclose``, ...) never runs
at all. Student code then runs only when an instructor's cell or a test calls it.

Kept: ``import``/``from ... import``; ``def`` and ``class`` statements; plain-name
assignments of simple values (``EPS = 1e-8``); docstrings and ``pass``. Everything that
would run code while the definitions are made is refused: decorators other than
``staticmethod``/``classmethod``/``property`` (and ``@x.setter``), class keywords
(``metaclass=``), bases other than dotted names, default values and class attributes that
are not simple values (a call, a comprehension, ...), and the class-creation hooks
``__init_subclass__``, ``__set_name__``, ``__class_getitem__`` and ``__mro_entries__``;
annotations must be simple values too. A refused statement is left out whole (its lines
are blanked, so the kept code keeps its line numbers in tracebacks) and reported, so a
student sees what the autograder skipped.

    >>> kept, skipped = definitions_only("import numpy as np\\nx = np.ones(3)\\ndef f(a=1):\\n    return a\\n")
    >>> print(kept)
    import numpy as np
    <BLANKLINE>
    def f(a=1):
        return a
    <BLANKLINE>
    >>> skipped
    ['line 2: x = np.ones(3)']
"""

from __future__ import annotations

import ast

__all__ = ["bound_names", "definitions_only"]

_SAFE_DECORATORS = {"staticmethod", "classmethod", "property"}
_PROPERTY_PARTS = {"setter", "getter", "deleter"}
_CLASS_HOOKS = {"__init_subclass__", "__set_name__", "__class_getitem__", "__mro_entries__"}


def _is_dotted_name(node: ast.AST) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _is_simple_value(node: ast.AST | None) -> bool:
    """A value whose evaluation runs no user code: constants, dotted names, and
    containers and arithmetic of constants."""
    if node is None or isinstance(node, ast.Constant) or _is_dotted_name(node):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_is_simple_value(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is None or _is_simple_value(k) for k in node.keys) and all(map(_is_simple_value, node.values))
    # Arithmetic only on literal numbers: on a name it could call a user-defined operator.
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.operand, ast.Constant) or (
            isinstance(node.operand, (ast.UnaryOp, ast.BinOp)) and _is_simple_value(node.operand))
    if isinstance(node, ast.BinOp):
        return all(isinstance(side, ast.Constant) or (isinstance(side, (ast.UnaryOp, ast.BinOp)) and _is_simple_value(side))
                   for side in (node.left, node.right))
    return False


def _is_safe_decorator(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id in _SAFE_DECORATORS
    return isinstance(node, ast.Attribute) and node.attr in _PROPERTY_PARTS and isinstance(node.value, ast.Name)


def _annotations(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST | None]:
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return [node.returns, *(a.annotation for a in every if a is not None)]


def _function_problem(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    if not all(map(_is_safe_decorator, node.decorator_list)):
        return "a decorator runs code when the function is defined"
    defaults = [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
    if not all(map(_is_simple_value, defaults)):
        return "a default value runs code when the function is defined"
    if not all(map(_is_simple_value, _annotations(node))):
        return "an annotation runs code when the function is defined"
    return None


def _class_problem(node: ast.ClassDef) -> str | None:
    if node.decorator_list:
        return "a class decorator runs code when the class is defined"
    if node.keywords:
        return "class keywords (metaclass=...) run code when the class is defined"
    if not all(map(_is_dotted_name, node.bases)):
        return "a base class must be a plain (dotted) name"
    for item in node.body:
        problem = _statement_problem(item, in_class=True)
        if problem:
            return problem
    return None


def _statement_problem(node: ast.stmt, in_class: bool = False) -> str | None:
    """Why ``node`` cannot be kept as a definition, or None when it can."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.Pass)):
        return None
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return None  # a docstring or a bare literal
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if in_class and node.name in _CLASS_HOOKS:
            return f"{node.name} runs code when classes are made"
        return _function_problem(node)
    if isinstance(node, ast.ClassDef):
        return _class_problem(node)
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        annotation = node.annotation if isinstance(node, ast.AnnAssign) else None
        if (all(isinstance(t, ast.Name) for t in targets) and node.value is not None
                and _is_simple_value(node.value) and _is_simple_value(annotation)):
            return None
        return "only a plain name = simple value assignment is kept"
    return "not a definition (def, class, import, NAME = value)"


def _first_lineno(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _first_line(source_lines: list[str], node: ast.stmt) -> str:
    line = source_lines[_first_lineno(node) - 1].strip()
    return line if len(line) <= 80 else line[:77] + "..."


def definitions_only(source: str) -> tuple[str, list[str]]:
    """(``source`` with every statement that is not a definition blanked out, a
    description of each statement left out).

    A cell that does not parse is returned as it is: running it raises the student's own
    SyntaxError, which is the clearest message."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source, []
    lines = source.splitlines(keepends=True)
    kept, skipped = [], []
    for node in tree.body:
        if _statement_problem(node) is None:
            kept.append(node)
        else:
            skipped.append(f"line {_first_lineno(node)}: {_first_line(lines, node)}")
            for number in range(_first_lineno(node), node.end_lineno + 1):
                lines[number - 1] = "\n"
    code = "".join(lines)
    # Two statements on one line (``x = 1; evil()``): blanking one blanked both.
    if skipped and len(ast.parse(code).body) != len(kept):
        code = "\n".join(ast.unparse(node) for node in kept) + "\n"
    return code, skipped


def bound_names(source: str) -> list[str]:
    """The names a cell binds in the notebook's namespace (assignments, imports, loop
    targets, def and class), not those local to its functions, classes or comprehensions."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
        pending.extend(ast.iter_child_nodes(node))
    return sorted(set(names))
