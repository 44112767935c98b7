"""Serve MathJax 3 from the built book instead of a CDN.

Sphinx's ``sphinx.ext.mathjax`` loads ``mathjax_path``, by default
``https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js``; an offline reader (or a
build machine with no internet) then sees raw TeX. This extension copies MathJax 3's
``es5`` folder from the installed ``mathjax`` package (PyPI ``django-static-mathjax``,
pinned in pyproject.toml) into ``<html>/_static/mathjax/`` and points ``mathjax_path``
at the local ``tex-mml-chtml.js``. Sphinx writes that path relative to each page, so
the site also works from ``file://``. ``mathjax3_config`` (set by MyST to limit MathJax
to the maths it renders) is untouched: Sphinx still emits it before the script.

The whole ``es5`` folder is copied, not only the one script, because MathJax loads
its fonts (``output/chtml/fonts/``) and any TeX extension it needs (``input/tex/``)
at run time, relative to the script's own URL.

Loaded from _config.yml::

    sphinx:
      local_extensions:
        offline_mathjax: book/_ext
"""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

# Where the copy goes, relative to the html output's _static/ folder.
STATIC_SUBDIR = "mathjax"
# The combined TeX + MathML input, CommonHTML output build: what Sphinx's default loads.
ENTRY_SCRIPT = "tex-mml-chtml.js"


def mathjax_es5_dir() -> Path:
    """The ``es5`` folder of the installed MathJax 3, or ExtensionError saying what to install."""
    hint = (
        "offline_mathjax needs MathJax 3 from the PyPI package django-static-mathjax "
        "(pinned in pyproject.toml's `course` extra; `make venv` installs it)"
    )
    try:
        mathjax = importlib.import_module("mathjax")
    except ImportError as exc:
        raise ExtensionError(f"{hint}: `import mathjax` failed ({exc})") from exc
    # A namespace package (no __init__.py) has __file__ None; fall back to its __path__.
    roots = [Path(mathjax.__file__).parent] if mathjax.__file__ else [Path(p) for p in mathjax.__path__]
    for root in roots:
        es5 = root / "static" / "mathjax" / "es5"
        if (es5 / ENTRY_SCRIPT).is_file():
            return es5
    raise ExtensionError(
        f"{hint}: found the `mathjax` package at {', '.join(map(str, roots))} but no "
        f"static/mathjax/es5/{ENTRY_SCRIPT} inside it"
    )


def _set_mathjax_path(app: Sphinx, config: Config) -> None:
    # Check the package now so that a missing MathJax stops the build before any page
    # is read, with the message above.
    mathjax_es5_dir()
    if config.mathjax_path and "://" not in config.mathjax_path and not config.mathjax_path.startswith("//"):
        # Someone already chose a local file: respect it.
        return
    # Relative to _static/ (Sphinx's add_js_file prefixes it), written per page as a
    # relative URL such as ../_static/mathjax/tex-mml-chtml.js.
    config.mathjax_path = f"{STATIC_SUBDIR}/{ENTRY_SCRIPT}"


def _copy_mathjax(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    source = mathjax_es5_dir()
    target = Path(app.builder.outdir) / "_static" / STATIC_SUBDIR
    # Copied when the builder starts, before any page is written, so that Sphinx finds
    # the file and appends its checksum (?v=...) to the script URL. copytree with
    # dirs_exist_ok overwrites an older copy in place; copy2 keeps timestamps.
    shutil.copytree(source, target, dirs_exist_ok=True)
    logger.info("offline_mathjax: copied MathJax from %s to %s", source, target)


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.ext.mathjax")
    # Priority 900: after other extensions' config-inited handlers (default 500).
    app.connect("config-inited", _set_mathjax_path, priority=900)
    app.connect("builder-inited", _copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
