"""Write each inline <script> of a page once.

sphinx-thebe and sphinx-togglebutton register their inline configuration
(``app.add_js_file(None, body=...)``) while the docs are read. Sphinx 7.4 ends up with
each of them twice, once with filename ``None`` and once with ``''``, which its own
duplicate check tells apart; the second ``const THEBE_JS_URL = ...`` then throws
"Identifier 'THEBE_JS_URL' has already been declared" in the browser on every page
(found by tests/book/test_browser.py).

Loaded from _config.yml::

    sphinx:
      local_extensions:
        single_scripts: book/_ext
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

# After the other html-page-context handlers (default priority 500), which may add scripts.
LATE = 900


def _drop_repeated_scripts(app: Sphinx, pagename: str, templatename: str,
                           context: dict[str, Any], doctree: Any) -> None:
    seen: set[tuple[str, int, tuple[tuple[str, str], ...]]] = set()
    kept = []
    for script in context.get("script_files", []):
        key = (str(script.filename or ""), script.priority, tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("html-page-context", _drop_repeated_scripts, priority=LATE)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
