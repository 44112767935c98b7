"""``FeedbackHTMLExporter``: nbconvert's HTML exporter without its BeautifulSoup pass.

After rendering a page, nbconvert's ``HTMLExporter`` parses it again with BeautifulSoup's
pure-Python parser to give images without a description an ``alt`` text and to make
JupyterLab's cell wrappers focusable (``tabindex``). nbgrader's feedback template is
built on the classic template, which has no such wrappers, so on a feedback page that pass
only adds the ``alt`` texts, yet it takes longer than the rendering itself (every
highlighted token of the code is a tag to parse): over a third of ``generate_feedback``.
This exporter renders exactly as ``HTMLExporter`` does and adds the same ``alt`` text to
the ``<img>`` tags that lack one. ``nbgrader_config.py`` sets it as
``GenerateFeedback.exporter_class``; ``HTMLExporter``'s settings (the ``feedback``
template) apply to it as to its parent.
"""

from __future__ import annotations

import re

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

__all__ = ["FeedbackHTMLExporter", "MISSING_ALT"]

MISSING_ALT = "No description has been provided for this image"  # nbconvert's own text
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)(?=[\s/>])", re.IGNORECASE)


def add_missing_alt(html: str) -> str:
    """Give every ``<img>`` tag without an ``alt`` attribute nbconvert's default one."""
    return _IMG_WITHOUT_ALT.sub(f'<img alt="{MISSING_ALT}"', html)


class FeedbackHTMLExporter(HTMLExporter):
    """``HTMLExporter`` for the feedback pages, without re-parsing each page."""

    def from_notebook_node(self, nb, resources=None, **kw):
        # What HTMLExporter.from_notebook_node does before its BeautifulSoup pass.
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return add_missing_alt(html), resources
