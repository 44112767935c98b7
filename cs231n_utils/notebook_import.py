"""Reuse the functions a student wrote in an earlier notebook of the same assignment.

Later notebooks build on earlier ones (the ConvNet notebook calls the student's own
``conv_forward_fast``), so they load the code from the student's earlier notebook file,
never from a hidden copy. Only the definitions (def, class, import, NAME = value) of the
notebook's *solution cells* (nbgrader metadata ``solution: true``, the cells a student
edits) are run, in a fresh module whose globals
already hold ``np`` (numpy) and ``math``; anything else a cell needs it imports itself.
The source notebooks in ``solutions/`` load each other the same way and so get the
reference code.

    affine_forward, relu_forward = load_functions(
        "01_fully_connected.ipynb", "affine_forward", "relu_forward")

A function the student has not written yet (its body still raises
``NotImplementedError``) is replaced by one that raises ``NotImplementedError`` with a
message naming the notebook to finish first.
"""

from __future__ import annotations

import ast
import json
import math
import types
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .grading.definitions import definitions_only

__all__ = ["NotebookImportError", "load_notebook", "load_functions"]


class NotebookImportError(ImportError):
    """The earlier notebook is missing, unreadable, or does not define what is asked."""


def _code_cells(path: Path) -> list[tuple[dict, str]]:
    """(nbgrader metadata, source) of every code cell of the notebook at ``path``."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except FileNotFoundError:
        raise NotebookImportError(
            f"{path.name} not found in {path.parent.resolve()}: this notebook uses functions "
            f"you wrote in {path.name}; keep it in the same folder (and submit it too)"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NotebookImportError(f"cannot read {path} as a notebook: {exc}") from exc
    code = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            code.append((cell.get("metadata", {}).get("nbgrader", {}), "".join(source) if isinstance(source, list) else source))
    return code


def _loads_in(source: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The ``load_functions("file.ipynb", "f", ...)`` calls of a set-up cell, as
    (file, [(bound name, function name), ...]); a call is read, never run.

    The bound names are the assignment's targets when they are plain names, one per
    function (``bn_f, bn_b = load_functions(...)``), else the functions' own names.
    """
    loads = []
    for node in ast.walk(ast.parse(source)):
        call = node.value if isinstance(node, (ast.Assign, ast.Expr)) else None
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        if (func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)) != "load_functions":
            continue
        args = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if len(args) != len(call.args) or len(args) < 2:
            continue  # not all literal strings: cannot be read without running it
        file, names = args[0], args[1:]
        bound = names
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            elts = target.elts if isinstance(target, ast.Tuple) else [target]
            if len(elts) == len(names) and all(isinstance(e, ast.Name) for e in elts):
                bound = [e.id for e in elts]
        loads.append((file, list(zip(bound, names))))
    return loads


def _is_stub(function: ast.FunctionDef) -> bool:
    """True when the function body still contains the released `raise NotImplementedError`."""
    for node in ast.walk(function):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name) and target.id == "NotImplementedError":
                return True
    return False


def _unfinished(name: str, notebook: str) -> Callable:
    def unfinished(*args, **kwargs):
        raise NotImplementedError(
            f"{name} from {notebook} is not implemented yet: complete it in {notebook} "
            "(and save that notebook) before running this one"
        )

    unfinished.__name__ = unfinished.__qualname__ = name
    unfinished.unfinished_in = notebook  # lets tools tell a stub from real code
    return unfinished


def load_notebook(path: str | Path, _loading: tuple[Path, ...] = ()) -> types.ModuleType:
    """Run the solution cells of the notebook at ``path`` in a new module and return it.

    path: the earlier notebook, relative to the current directory (a notebook's kernel
    runs in the notebook's own folder, so a sibling's file name is enough).

    Before its solution cells run, the module gets the functions that notebook's own
    set-up cell (``grade_id: setup``) loads from even earlier notebooks, found next to it:
    a spatial batch norm written on top of notebook 2's ``batchnorm_forward`` works
    wherever it is loaded.
    """
    path = Path(path)
    if path.resolve() in _loading:
        chain = " -> ".join(p.name for p in (*_loading, path.resolve()))
        raise NotebookImportError(f"notebooks load each other in a circle: {chain}")
    module = types.ModuleType(path.stem, f"functions from the solution cells of {path.name}")
    module.__dict__.update(np=np, math=math, __file__=str(path))
    cells = _code_cells(path)
    for meta, source in cells:
        if meta.get("grade_id") != "setup":
            continue
        try:
            loads = _loads_in(source)
        except SyntaxError:
            continue  # a locked cell the student cannot have broken; nothing to learn from it
        for file, pairs in loads:
            earlier = load_notebook(path.parent / file, (*_loading, path.resolve()))
            for bound, name in pairs:
                if callable(getattr(earlier, name, None)):
                    module.__dict__[bound] = getattr(earlier, name)
    stubs = []
    solutions = [source for meta, source in cells if meta.get("solution")]
    for index, source in enumerate(solutions):
        label = f"{path.name}, solution cell {index + 1}"
        # Only the definitions: code at a cell's top level runs neither here nor when
        # the autograder grades the notebook (see cs231n_utils.grading.definitions).
        source, _ = definitions_only(source)
        try:
            tree = ast.parse(source, filename=label)
        except SyntaxError as exc:
            raise NotebookImportError(f"{label} has a syntax error (line {exc.lineno}): {exc.msg}") from exc
        stubs += [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and _is_stub(node)]
        stubs += [f"{node.name}.{method.name}" for node in tree.body if isinstance(node, ast.ClassDef)
                  for method in node.body if isinstance(method, ast.FunctionDef) and _is_stub(method)]
        try:
            exec(compile(tree, label, "exec"), module.__dict__)  # noqa: S102 (running the student's own cell)
        except Exception as exc:
            raise NotebookImportError(f"{label} raised {type(exc).__name__}: {exc}") from exc
    for name in stubs:
        owner_name, _, attribute = name.rpartition(".")
        owner = getattr(module, owner_name) if owner_name else module
        setattr(owner, attribute or name, _unfinished(name, path.name))
    return module


def load_functions(path: str | Path, *names: str) -> tuple[Callable, ...]:
    """The functions ``names`` defined in the solution cells of the notebook at ``path``.

    Returns them in the order asked, so they unpack into local names.
    """
    if not names:
        raise TypeError("load_functions needs the names of the functions to load")
    if not all(isinstance(n, str) for n in names):
        raise TypeError(f"pass the function names as separate strings, got {names!r}")
    module = load_notebook(path)
    missing = [n for n in names if not callable(getattr(module, n, None))]
    if missing:
        raise NotebookImportError(
            f"{Path(path).name} defines no function {', '.join(missing)} in its solution cells; "
            "keep the names and signatures the notebook gave you"
        )
    return tuple(getattr(module, n) for n in names)
