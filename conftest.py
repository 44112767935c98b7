"""Collect the course's notebooks as nbval tests, each place in the mode it needs.

- ``solutions/**/*.ipynb`` (nbgrader source notebooks): strict nbval. Every code cell must
  run without error, and any output stored in the notebook must be reproduced.
- ``book/**/*.md`` chapters written as MyST text notebooks (a jupytext header with a
  kernelspec): read through jupytext and executed in lax mode, since a text notebook
  stores no outputs to compare. Only when named (``pytest book/convolution.md``): the
  suite leaves ``book`` out of its testpaths because the book build in
  ``tests/book/test_book.py`` already executes every chapter and fails on any error.

The released notebooks in ``assignments/`` stop at the first student cell by design; they
are executed by ``tests/workflow/test_released_notebooks.py`` instead. Running this under
pytest-xdist needs ``--dist loadfile`` so that one notebook's cells share one kernel.
"""

from pathlib import Path
from types import SimpleNamespace

import jupytext
from nbval.plugin import IPyNbFile

ROOT = Path(__file__).resolve().parent


class StrictNotebook(IPyNbFile):
    """An nbgrader source notebook: outputs stored in the file are compared."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.compare_outputs = True


class MystNotebook(IPyNbFile):
    """A MyST text notebook: executed cell by cell, outputs not compared."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.compare_outputs = False

    def collect(self):
        # IPyNbFile.collect reads the file with nbval's module-level `nbformat.read`;
        # for the length of that call give nbval a stand-in that reads through jupytext.
        import nbval.plugin as nbval_plugin

        saved = nbval_plugin.nbformat
        nbval_plugin.nbformat = SimpleNamespace(read=jupytext.read)
        try:
            return list(super().collect())
        finally:
            nbval_plugin.nbformat = saved


def is_text_notebook(path: Path) -> bool:
    """A MyST markdown file with a jupytext front matter that names a kernel."""
    head = path.read_text(encoding="utf-8")[:2000]
    return head.startswith("---") and "jupytext:" in head and "kernelspec:" in head


def pytest_collect_file(file_path: Path, parent):
    opt = parent.config.option
    if opt.nbval or opt.nbval_lax:
        return None  # an explicit nbval run decides for itself
    relative = file_path.resolve().relative_to(ROOT) if file_path.resolve().is_relative_to(ROOT) else None
    if relative is None or not relative.parts:
        return None
    top = relative.parts[0]
    if top == "solutions" and file_path.suffix == ".ipynb" and ".ipynb_checkpoints" not in relative.parts:
        return StrictNotebook.from_parent(parent, path=file_path)
    if top == "book" and file_path.suffix == ".md" and is_text_notebook(file_path):
        return MystNotebook.from_parent(parent, path=file_path)
    return None
