"""HideHiddenTests: feedback pages show the visible checks and the points, never a hidden test."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from cs231n_utils.grading.execute import GRADING_METADATA, split_hidden_tests
from cs231n_utils.grading.feedback import HIDDEN_PLACEHOLDER, HideHiddenTests

TEST_SOURCE = """out = affine_forward(x)
assert out.shape == (2, 3), "visible check"
### BEGIN HIDDEN TESTS
secret_expected = 0.123456
assert abs(affine_forward(x2).sum() - secret_expected) < 1e-6, f"expected {secret_expected}"
### END HIDDEN TESTS"""
HIDDEN_LINES = ["secret_expected = 0.123456", "assert abs(affine_forward(x2).sum() - secret_expected)"]


def graded_cell(outputs, record=None):
    cell = new_code_cell(TEST_SOURCE, outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 2}
    if record is not None:
        cell.metadata[GRADING_METADATA] = record
    return cell


def error(ename, evalue, traceback):
    return new_output("error", ename=ename, evalue=evalue, traceback=traceback)


def hide(*cells):
    notebook = new_notebook(cells=list(cells))
    HideHiddenTests().preprocess(notebook, {})
    return nbformat.writes(notebook)


def test_split_at_the_hidden_test_markers():
    parts = split_hidden_tests(TEST_SOURCE)
    assert [hidden for _, hidden in parts] == [False, True]
    assert parts[1][0].startswith("### BEGIN HIDDEN TESTS")


def test_a_hidden_failure_shows_neither_source_message_nor_traceback():
    outputs = [new_output("stream", name="stdout", text="visible part ran\n"),
               new_output("stream", name="stdout", text="secret_expected = 0.123456\n"),
               error("AssertionError", "expected 0.123456", ["----> 5 assert abs(affine_forward(x2).sum() - secret_expected)"])]
    text = hide(graded_cell(outputs, {"failed_in": "hidden", "guard": [], "hidden_outputs": [1, 3]}))
    assert "visible part ran" in text
    assert "HiddenTestFailed" in text and HIDDEN_PLACEHOLDER in text
    for line in [*HIDDEN_LINES, "0.123456"]:
        assert line not in text


def test_a_visible_failure_keeps_its_traceback():
    outputs = [error("AssertionError", "visible check", ["----> 2 assert out.shape == (2, 3), \"visible check\""])]
    text = hide(graded_cell(outputs, {"failed_in": "visible", "guard": [], "hidden_outputs": None}))
    assert "visible check" in text and "out.shape == (2, 3)" in text
    assert "HiddenTestFailed" not in text


def test_a_passing_cell_shows_only_visible_outputs():
    outputs = [new_output("stream", name="stdout", text="visible\n"), new_output("stream", name="stdout", text="hidden\n")]
    text = hide(graded_cell(outputs, {"failed_in": None, "guard": [], "hidden_outputs": [1, 2]}))
    assert "visible" in text and '"hidden\\n"' not in text


def test_without_grading_metadata_everything_of_the_cell_is_hidden():
    outputs = [error("AssertionError", "expected 0.123456", ["secret_expected = 0.123456"])]
    text = hide(graded_cell(outputs))
    assert "HiddenTestFailed" in text and "0.123456" not in text


def test_tracebacks_of_other_cells_quoting_a_hidden_line_are_blanked():
    other = new_code_cell("run()", outputs=[error("ValueError", "x", ["frame: secret_expected = 0.123456", "ValueError: x"])])
    text = hide(graded_cell([], {"failed_in": None, "guard": [], "hidden_outputs": None}), other)
    assert "secret_expected" not in text and "ValueError: x" in text


def test_hidden_lines_printed_by_any_cell_are_removed():
    other = new_code_cell("show()", outputs=[
        new_output("stream", name="stdout", text="captured:\nsecret_expected = 0.123456\nbye\n"),
        new_output("display_data", data={"text/plain": "secret_expected = 0.123456"})])
    text = hide(graded_cell([], {"failed_in": None, "guard": [], "hidden_outputs": None}), other)
    assert "secret_expected" not in text and "captured:" in text and "bye" in text


def test_feedback_exporter_renders_as_nbconvert_without_its_reparse():
    """FeedbackHTMLExporter skips nbconvert's BeautifulSoup pass but keeps its output:
    the same page, images without a description get nbconvert's alt text."""
    from nbconvert.exporters import HTMLExporter

    from cs231n_utils.grading.feedback_html import MISSING_ALT, FeedbackHTMLExporter, add_missing_alt

    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    cell = new_code_cell("plot()", outputs=[new_output("display_data", data={"image/png": png})])
    notebook = new_notebook(cells=[cell, new_code_cell("x = 1  # <b>not a tag</b>")])
    ours, _ = FeedbackHTMLExporter().from_notebook_node(notebook)
    theirs, _ = HTMLExporter().from_notebook_node(notebook)
    assert f'alt="{MISSING_ALT}"' in ours and "&lt;b&gt;not a tag" in ours
    assert ours.count("<img") == theirs.count("<img") == ours.count("alt=")
    assert add_missing_alt('<img alt="a plot" src="x">') == '<img alt="a plot" src="x">'
    assert add_missing_alt("<img src='x'/><imgs>") == f"<img alt=\"{MISSING_ALT}\" src='x'/><imgs>"
