"""``HideHiddenTests``: keep the hidden tests out of the feedback pages.

``nbgrader generate_feedback`` renders the *autograded* notebook, whose test cells hold
the hidden tests (autograde restores them so they run). This preprocessor, added to
``GenerateFeedback.preprocessors`` in ``nbgrader_config.py``, rewrites each test cell
before it is rendered:

- the hidden part of the source becomes one comment line;
- the outputs the hidden part printed are dropped, and an error it raised becomes
  ``HiddenTestFailed`` with no message and no traceback (a message such as
  ``expected 0.25`` would give the test away);
- as a second line of defence, any line of any output (tracebacks, printed text, shown
  values) of any cell that quotes a line of the hidden tests is removed: code that a
  hidden test calls can read that test's source and print it later.

It relies on the cell metadata written by :class:`~.execute.SandboxedExecute` (which
outputs came from the hidden part); without it, every output of a cell whose hidden part
may have run is treated as hidden, except errors raised before it.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from .execute import GRADING_METADATA, HIDDEN_BEGIN, HIDDEN_END, split_hidden_tests

__all__ = ["HideHiddenTests", "HIDDEN_PLACEHOLDER"]

HIDDEN_PLACEHOLDER = "# (hidden tests: the autograder ran them; they are not shown)"
_MIN_QUOTED = 8  # shorter hidden lines (``)``, ``else:``) say nothing


def _is_test_cell(cell) -> bool:
    flags = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and flags.get("grade") and not flags.get("solution")


def _hidden_lines(source: str) -> set[str]:
    return {line.strip() for code, hidden in split_hidden_tests(source) if hidden
            for line in code.splitlines()
            if len(line.strip()) >= _MIN_QUOTED and HIDDEN_BEGIN not in line and HIDDEN_END not in line}


def _visible_source(source: str) -> str:
    parts = [HIDDEN_PLACEHOLDER if hidden else code for code, hidden in split_hidden_tests(source)]
    return "\n".join(parts)


REMOVED = "[a line of the hidden tests was removed here]"


def _scrub_text(text, hidden: set[str]):
    """``text`` (a string or nbformat's list of lines) without the lines quoting ``hidden``."""
    if isinstance(text, list):
        return [_scrub_text(part, hidden) for part in text]
    if not isinstance(text, str) or not any(line in text for line in hidden):
        return text
    return "\n".join(REMOVED if any(line in part for line in hidden) else part for part in text.split("\n"))


def _scrub_output(output: NotebookNode, hidden: set[str]) -> None:
    """Blank whatever an output quotes of the hidden tests: a traceback, or text that
    submitted code captured while a hidden test ran and printed later."""
    if not hidden:
        return
    if output.get("output_type") == "error":
        output.traceback = ["" if any(line in frame for line in hidden) else frame for frame in output.traceback]
        output.evalue = _scrub_text(output.get("evalue", ""), hidden)
    if "text" in output:
        output.text = _scrub_text(output.text, hidden)
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime.endswith("json"):
            output.data[mime] = _scrub_text(value, hidden)


class HideHiddenTests(NbGraderPreprocessor):
    """Remove the hidden tests' source, outputs and tracebacks from the feedback."""

    def preprocess(self, nb, resources):
        hidden = set()
        for cell in nb.cells:
            if _is_test_cell(cell):
                hidden |= _hidden_lines(cell.source)
        for cell in nb.cells:
            if _is_test_cell(cell) and any(h for _, h in split_hidden_tests(cell.source)):
                self._hide(cell)
            for output in cell.get("outputs", []):
                _scrub_output(output, hidden)
        return nb, resources

    def _hide(self, cell) -> None:
        cell.source = _visible_source(cell.source)
        if GRADING_METADATA not in cell.metadata:
            # Not graded by SandboxedExecute: nothing says which outputs are whose.
            failed = any(o.output_type == "error" for o in cell.outputs)
            cell.outputs = [_hidden_failure()] if failed else []
            return
        record = cell.metadata[GRADING_METADATA]
        span = record.get("hidden_outputs")
        if span:
            start, end = span
            failure = [_hidden_failure()] if record.get("failed_in") == "hidden" else []
            cell.outputs = cell.outputs[:start] + failure + cell.outputs[end:]


def _hidden_failure() -> NotebookNode:
    return NotebookNode(output_type="error", ename="HiddenTestFailed",
                        evalue="a hidden test of this cell failed (its details are not shown)",
                        traceback=["HiddenTestFailed: a hidden test of this cell failed (its details are not shown)"])
