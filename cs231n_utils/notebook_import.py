"""Reuse the functions a student wrote in an earlier notebook of the same assignment.

Later notebooks build on earlier ones (the ConvNet notebook calls the student's own
``conv_forward_fast``), so they load the code from the student's earlier notebook file,
never from a hidden copy. Only the notebook's *solution cells* (nbgrader metadata
``solution: true``, the cells a student edits) are run, in a fresh module whose globals
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

__all__ = ["NotebookImportError", "load_notebook", "load_functions"]


class NotebookImportError(ImportError):
    """The earlier notebook is missing, unreadable, or does not define what is asked."""


def _solution_sources(path: Path) -> list[str]:
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
    sources = []
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("solution"):
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else source)
    return sources


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


def load_notebook(path: str | Path) -> types.ModuleType:
    """Run the solution cells of the notebook at ``path`` in a new module and return it.

    path: the earlier notebook, relative to the current directory (a notebook's kernel
    runs in the notebook's own folder, so a sibling's file name is enough).
    """
    path = Path(path)
    module = types.ModuleType(path.stem, f"functions from the solution cells of {path.name}")
    module.__dict__.update(np=np, math=math, __file__=str(path))
    stubs = []
    for index, source in enumerate(_solution_sources(path)):
        label = f"{path.name}, solution cell {index + 1}"
        try:
            tree = ast.parse(source, filename=label)
        except SyntaxError as exc:
            raise NotebookImportError(f"{label} has a syntax error (line {exc.lineno}): {exc.msg}") from exc
        stubs += [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and _is_stub(node)]
        try:
            exec(compile(tree, label, "exec"), module.__dict__)  # noqa: S102 (running the student's own cell)
        except Exception as exc:
            raise NotebookImportError(f"{label} raised {type(exc).__name__}: {exc}") from exc
    for name in stubs:
        setattr(module, name, _unfinished(name, path.name))
    return module


def load_functions(path: str | Path, *names: str) -> tuple[Callable, ...]:
    """The functions ``names`` defined in the solution cells of the notebook at ``path``.

    Returns them in the order asked, so they unpack into local names.
    """
    if not names:
        raise TypeError("load_functions needs the names of the functions to load")
    module = load_notebook(path)
    missing = [n for n in names if not callable(getattr(module, n, None))]
    if missing:
        raise NotebookImportError(
            f"{Path(path).name} defines no function {', '.join(missing)} in its solution cells; "
            "keep the names and signatures the notebook gave you"
        )
    return tuple(getattr(module, n) for n in names)
