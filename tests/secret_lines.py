"""What must never leave `solutions/`: solution code and hidden tests, line by line.

A line is secret when it sits between nbgrader's ``### BEGIN SOLUTION`` / ``### END
SOLUTION`` or ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` markers and does not
also appear in a public part of the course (a hidden test may repeat a visible line such
as ``err = rel_error(out, expected)``; that line is not a secret).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

MARKERS = {
    "### BEGIN SOLUTION": "### END SOLUTION",
    "### BEGIN HIDDEN TESTS": "### END HIDDEN TESTS",
}
# Lines this short or this generic say nothing about the solution.
MIN_LENGTH = 12
GENERIC = re.compile(r"^(pass|return\b.*|else:|try:|except\b.*|#.*|\"\"\".*|[)\]}],?)$")


@dataclass(frozen=True)
class Secret:
    line: str
    notebook: Path
    grade_id: str


def _split_cell(source: str) -> tuple[list[str], list[str]]:
    """(secret lines, public lines) of one cell's source."""
    secret, public, closing = [], [], None
    for raw in source.splitlines():
        line = raw.strip()
        if closing is None and line in MARKERS:
            closing = MARKERS[line]
        elif closing is not None and line == closing:
            closing = None
        elif closing is not None:
            secret.append(line)
        else:
            public.append(line)
    return secret, public


def find_secrets(solutions_dir: Path) -> list[Secret]:
    """Every distinctive secret line of every source notebook under ``solutions_dir``."""
    found, public = [], set()
    for path in sorted(Path(solutions_dir).rglob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            secret, visible = _split_cell(cell.source)
            public.update(visible)
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
            found += [Secret(line, path, grade_id) for line in secret]
    return [
        s for s in found
        if len(s.line) >= MIN_LENGTH and not GENERIC.match(s.line) and s.line not in public
    ]


def html_to_text(page_html: str, drop_scripts: bool = False) -> str:
    """Page text with tags removed and entities decoded: code as a reader sees it."""
    if drop_scripts:
        page_html = re.sub(r"<script\b.*?</script>", "", page_html, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", page_html))


def readable_text(path: Path) -> str:
    """The text a person could read in a file: HTML tags stripped and entities decoded."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":  # JSON escapes quotes: read the cells, outputs included
        notebook = nbformat.reads(text, as_version=4)
        return "\n".join(c.source + "\n" + str(c.get("outputs", "")) for c in notebook.cells)
    if path.suffix in {".html", ".htm"}:
        return html_to_text(text)  # scripts kept: a secret in one is still a leak
    return text


def find_leaks(secrets: list[Secret], roots: list[Path], suffixes: set[str]) -> list[str]:
    """Secret lines (and the markers themselves) found in files under ``roots``."""
    needles = [(s.line, f"{s.notebook.name}:{s.grade_id}") for s in secrets]
    needles += [(marker, "nbgrader marker") for pair in MARKERS.items() for marker in pair]
    leaks = []
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            if not path.is_file() or path.suffix not in suffixes:
                continue
            text = readable_text(path)
            leaks += [f"{path}: {line!r} (from {origin})" for line, origin in needles if line in text]
    return leaks
