"""The built book in a real browser: headless Chromium reads every page of the toc.

Debian's `chromium` (or the executable named by $CHROMIUM), driven by Playwright, opens
each page from a local HTTP server and checks what a reader sees: MathJax typeset every
formula (no error node, no raw TeX left in the visible text), every image loaded, every
link inside the site leads to a page (and, for a #fragment, to an element of it), the
console shows no error, no request failed and none left the server (the book works
offline). A full-page screenshot of each page goes to $BOOK_SCREENSHOTS, else to
_build/screenshots/, named after the page (book/convolution.html -> book-convolution.png).

Without Chromium or Playwright the browser tests skip and say why (pytest's `-ra` prints
the reason). `test_checks_catch_a_broken_page` runs the same checks on a small broken
site made here, so a check that can never fail does not go unnoticed; the pure functions
have fast tests that need no browser.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.error import HTTPError
from urllib.parse import urldefrag, urlsplit
from urllib.request import urlopen

import pytest
import yaml

if TYPE_CHECKING:  # the `book` fixture's type; pytest injects the value from conftest.py
    from conftest import Build
    from playwright.sync_api import Browser

# Browser tests are marked slow one by one: the fast tests of the checking functions
# belong to `-m "not slow"`.
pytestmark = [pytest.mark.xdist_group("book")]

REPO = Path(__file__).resolve().parents[2]
TOC = REPO / "_toc.yml"
# A laptop's window: wide enough for the theme's desktop layout, sidebar beside the text.
VIEWPORT = {"width": 1280, "height": 800}
LOAD_TIMEOUT_MS = 30_000
# A generous bound: MathJax that has not finished by then is stuck.
MATHJAX_TIMEOUT_MS = 20_000
# Well below the PNG of the book's shortest page: only a blank or failed capture is smaller.
MIN_SCREENSHOT_BYTES = 20_000

# Console errors that are not the book's fault. pydata-sphinx-theme's <head> script sets
# the colour mode from localStorage, "" on a first visit; its JS then logs this and
# falls back to "auto". Every page is a first visit here (a fresh browser context each).
ALLOWED_CONSOLE_ERRORS = [re.compile(r"^Got invalid theme mode: \. Resetting to auto\.$")]

# TeX that MathJax should have replaced: display/inline delimiters and control words.
# Code blocks are left out of the text first (a code cell may hold TeX on purpose).
RAW_TEX = re.compile(r"\$\$|\\[\[\]()]|\\[A-Za-z]{2,}")
# Characters shown either side of a piece of raw TeX in a failure.
RAW_TEX_CONTEXT = 20

# Run in the page once it has loaded: wait for MathJax and the fonts, then report what
# the reader sees. Plain data only, checked in Python by page_problems().
INSPECT_JS = """
async (timeoutMs) => {
  const mathjax = !!(window.MathJax && window.MathJax.startup && window.MathJax.startup.promise);
  let typesetError = null;
  if (mathjax) {
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`MathJax not done after ${timeoutMs} ms`)), timeoutMs));
    try { await Promise.race([window.MathJax.startup.promise, timeout]); }
    catch (e) { typesetError = String(e); }
  }
  await document.fonts.ready;
  // innerText is the text as rendered. Code blocks are cut out of it, and so is
  // MathJax's output (an error shows the TeX, and is reported as an error).
  let text = document.body.innerText;
  for (const el of document.querySelectorAll('pre, code, .highlight, mjx-container')) {
    const t = el.innerText;
    if (t) text = text.replace(t, ' ');
  }
  return {
    mathjax,
    typesetError,
    merrors: [...document.querySelectorAll('mjx-merror')].map(
      e => e.getAttribute('data-mjx-error') || e.textContent),
    maths: document.querySelectorAll('.math').length,
    unrendered: [...document.querySelectorAll('.math')]
      .filter(e => !e.querySelector('mjx-container'))
      .map(e => e.textContent.trim().slice(0, 80)),
    text,
    images: [...document.images].map(
      i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0})),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  };
}
"""


def find_chromium(env: Mapping[str, str] = os.environ,
                  which: Callable[[str], str | None] = shutil.which) -> tuple[str | None, str]:
    """(path of a Chromium executable, or None; why none was found).

    $CHROMIUM first, then `chromium` (Debian's package) and `chromium-browser` on PATH.
    """
    named = env.get("CHROMIUM")
    if named:
        path = which(named)
        if path:
            return path, ""
        return None, f"CHROMIUM={named} is not an executable"
    for name in ("chromium", "chromium-browser"):
        path = which(name)
        if path:
            return path, ""
    reason = "Chromium not installed: apt-get install chromium (or set CHROMIUM to its path)"
    if env.get("CI") == "true":
        reason += "; under CI, .ci/run tried to install it and could not (see its log)"
    return None, reason


def toc_pages(toc_file: Path = TOC) -> list[str]:
    """Every page of the table of contents as a path of the built site, root page first:
    `book/intro` -> `book/intro.html`."""
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk([{key: toc[key]} for key in ("parts", "chapters", "sections") if key in toc])
    return [f"{Path(name).with_suffix('').as_posix()}.html" for name in files]


def screenshot_name(page: str) -> str:
    """book/convolution.html -> book-convolution.png"""
    return f"{Path(page).with_suffix('').as_posix().replace('/', '-')}.png"


def screenshot_dir(env: Mapping[str, str] = os.environ) -> Path:
    """$BOOK_SCREENSHOTS, else _build/screenshots/ of the repository (git-ignored)."""
    return Path(env.get("BOOK_SCREENSHOTS") or REPO / "_build" / "screenshots")


def raw_tex(text: str) -> list[str]:
    """The raw TeX in `text`, as snippets with a few characters around it; pieces close
    together (`$$x$$` is two delimiters) share one snippet."""
    spans: list[list[int]] = []
    for match in RAW_TEX.finditer(text):
        start, end = max(match.start() - RAW_TEX_CONTEXT, 0), match.end() + RAW_TEX_CONTEXT
        if spans and start <= spans[-1][1]:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [" ".join(text[start:end].split()) for start, end in spans]


class _Ids(HTMLParser):
    """Collects the fragment targets of an HTML page: every id (and old-style <a name>)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value and (key == "id" or (tag == "a" and key == "name")):
                self.ids.add(value)


@dataclass
class Target:
    """What a link's URL (without fragment) gave: HTTP status and, for HTML, its ids."""

    status: int
    ids: set[str] | None  # None: not an HTML page, so a fragment cannot be checked


def fetch_target(url: str) -> Target:
    """GET `url` (a page of the local server)."""
    try:
        with urlopen(url, timeout=10) as response:
            body = response.read()
            if response.headers.get_content_type() != "text/html":
                return Target(response.status, None)
            parser = _Ids()
            parser.feed(body.decode("utf-8", errors="replace"))
            return Target(response.status, parser.ids)
    except HTTPError as exc:
        exc.close()
        return Target(exc.code, None)


class LinkChecker:
    """Checks links within one site, fetching each target once however many pages link it."""

    def __init__(self, origin: str, fetch: Callable[[str], Target] = fetch_target) -> None:
        self.origin = origin  # e.g. http://127.0.0.1:8000
        self.fetch = fetch
        self.targets: dict[str, Target] = {}

    def problems(self, links: list[str]) -> list[str]:
        """One line for each internal link that does not lead to a page or to its fragment.
        Links to other sites are not followed: the book must not need the network, but a
        reader may still follow a reference out of it."""
        found = []
        for link in sorted(set(links)):
            parts = urlsplit(link)
            if f"{parts.scheme}://{parts.netloc}" != self.origin:
                continue
            url, fragment = urldefrag(link)
            if url not in self.targets:
                self.targets[url] = self.fetch(url)
            target = self.targets[url]
            if target.status != HTTPStatus.OK:
                found.append(f"link to {link}: HTTP {target.status}")
            elif fragment and target.ids is not None and fragment not in target.ids:
                found.append(f"link to {link}: no element with id {fragment!r} there")
        return found


@dataclass
class PageReport:
    """What the browser saw on one page."""

    url: str
    status: int | None
    seen: dict[str, Any]  # INSPECT_JS's result
    events: list[str] = field(default_factory=list)  # console errors, failed or 4xx/5xx requests
    blocked: list[str] = field(default_factory=list)  # requests to other hosts


def page_problems(report: PageReport, links: LinkChecker) -> list[str]:
    """Every problem of one page, one line each; empty when the page is fine."""
    seen = report.seen
    found = []
    if report.status != HTTPStatus.OK:
        found.append(f"the page itself: HTTP {report.status}")
    if seen["typesetError"]:
        found.append(seen["typesetError"])
    if seen["maths"] and not seen["mathjax"]:
        found.append(f"{seen['maths']} formulas but MathJax did not load")
    found += [f"MathJax error: {error}" for error in seen["merrors"]]
    found += [f"formula not typeset: {tex!r}" for tex in seen["unrendered"]]
    found += [f"raw TeX in the text: {snippet!r}" for snippet in raw_tex(seen["text"])]
    found += [f"image did not load: {image['src']}" for image in seen["images"] if not image["ok"]]
    found += links.problems(seen["links"])
    found += report.events
    found += [f"request to another host: {url}" for url in report.blocked]
    return found


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves a folder without logging each request to stderr."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        # Chromium asks every site for /favicon.ico on its own; the book declares no
        # icon, and that request is the browser's, not the book's.
        if urlsplit(self.path).path == "/favicon.ico" and not Path(self.translate_path(self.path)).is_file():
            self.send_response(HTTPStatus.NO_CONTENT)
            self.end_headers()
            return
        super().do_GET()


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on a free local port for the length of the block; yields the origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def inspect_page(browser: Browser, origin: str, page_path: str, screenshot: Path | None = None) -> PageReport:
    """Open origin/page_path in a fresh context, record what goes wrong while it loads and
    typesets, and save a full-page screenshot if `screenshot` is given."""
    url = f"{origin}/{page_path}"
    events: list[str] = []
    blocked: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and not any(p.search(message.text) for p in ALLOWED_CONSOLE_ERRORS):
            # "Failed to load resource" names no URL in its text; its location does.
            where = message.location.get("url", "")
            events.append(f"console error: {message.text}" + (f" ({where})" if where else ""))

    def on_request_failed(request: Any) -> None:
        if request.url not in blocked:  # already reported as leaving the server
            events.append(f"request failed: {request.url} ({request.failure})")

    def block(route: Any) -> None:
        blocked.append(route.request.url)
        route.abort("blockedbyclient")

    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    try:
        # Everything not from the local server is refused and recorded.
        context.route(lambda u: not u.startswith(f"{origin}/"), block)
        page = context.new_page()
        page.set_default_timeout(LOAD_TIMEOUT_MS)
        page.on("console", on_console)
        page.on("pageerror", lambda error: events.append(f"uncaught exception: {error}"))
        page.on("requestfailed", on_request_failed)
        page.on("response", lambda r: r.status >= 400 and events.append(f"HTTP {r.status}: {r.url}"))
        response = page.goto(url, wait_until="load")
        seen = page.evaluate(INSPECT_JS, MATHJAX_TIMEOUT_MS)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=screenshot, full_page=True, animations="disabled")
    finally:
        context.close()
    return PageReport(url=url, status=response.status if response else None, seen=seen,
                      events=events, blocked=blocked)


# --- fixtures -------------------------------------------------------------------------


# Session scope: pytest then sets it up before the (session) book build, so that a
# missing Chromium skips at once instead of after building the book.
@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Headless Chromium, driven by Playwright; skips, saying why, when either is missing."""
    executable, reason = find_chromium()
    if executable is None:
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.skip(f"Playwright not installed ({exc}): make venv installs requirements.lock")
    # Playwright drives the system's Chromium: `playwright install` (a download of its
    # own browser builds) is never needed.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            # A container's /dev/shm is often too small for Chromium's shared memory.
            args=["--disable-dev-shm-usage"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def site(book: Build) -> Iterator[tuple[str, LinkChecker]]:
    """The built book served locally: its origin and one link checker for all pages."""
    with serve(book.html) as origin:
        yield origin, LinkChecker(origin)


# --- the book in the browser ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("page_path", toc_pages())
def test_page_in_browser(chromium: Browser, site: tuple[str, LinkChecker], page_path: str) -> None:
    """Maths typeset, images loaded, internal links resolve, nothing fails or goes
    online; the page's screenshot is saved."""
    origin, links = site
    shot = screenshot_dir() / screenshot_name(page_path)
    shot.unlink(missing_ok=True)  # a stale one must not pass for this run's
    report = inspect_page(chromium, origin, page_path, screenshot=shot)
    problems = page_problems(report, links)
    assert not problems, f"{page_path} in Chromium:\n" + "\n".join(problems)
    assert shot.is_file() and shot.stat().st_size >= MIN_SCREENSHOT_BYTES, f"screenshot {shot} missing or blank"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{shot} is not a PNG"


@pytest.mark.slow
def test_toc_pages_are_built(book: Build) -> None:
    """The pages the browser test opens are the built book's, none forgotten: every toc
    page exists, and they are every page but the generated index and search."""
    pages = toc_pages()
    assert pages[0] == "book/intro.html"
    missing = [page for page in pages if not (book.html / page).is_file()]
    assert not missing, f"toc pages not built: {missing}"
    assert book.pages() - set(pages) == {"index.html", "genindex.html", "search.html"}


# --- the checks can fail --------------------------------------------------------------

BROKEN_PAGE = r"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>broken</title>
<script>window.MathJax = {options: {processHtmlClass: "math"}};</script>
<script src="mathjax/tex-mml-chtml.js"></script>
<script src="http://example.invalid/tracker.js"></script>
</head><body><section class="tex2jax_ignore mathjax_ignore">
<p>Good maths: <span class="math">\(x^2\)</span>. Bad maths: <span class="math">\(\frac{1}\)</span></p>
<p>Never typeset: <span class="math" id="late"></span></p>
<p>Left as text: $$x$$ and \alpha.</p>
<pre>code may say \frac{a}{b} and $$</pre>
<img src="good.png" alt="good"> <img src="missing.png" alt="missing">
<a href="other.html#here">good</a> <a href="other.html#nowhere">bad fragment</a>
<a href="gone.html">gone</a> <a href="https://example.org/paper">a reference</a>
<script>
  console.error("boom");
  // Filled in after MathJax has run, as a formula it never saw.
  MathJax.startup.promise.then(() => { document.getElementById("late").textContent = "\\(y\\)"; });
</script>
</section></body></html>
"""


def _mathjax_es5() -> Path | None:
    """The es5 folder of MathJax 3 from the `mathjax` package (django-static-mathjax)."""
    import importlib.util

    spec = importlib.util.find_spec("mathjax")
    for root in (spec.submodule_search_locations or []) if spec else []:
        es5 = Path(root) / "static" / "mathjax" / "es5"
        if (es5 / "tex-mml-chtml.js").is_file():
            return es5
    return None


@pytest.mark.slow
def test_checks_catch_a_broken_page(chromium: Browser, tmp_path: Path) -> None:
    """A page with every fault the checks look for is reported for each, and for nothing
    that is fine (the good formula, image and links, the TeX inside a code block)."""
    from PIL import Image

    es5 = _mathjax_es5()
    assert es5 is not None, "MathJax 3 (django-static-mathjax) is not installed"
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "mathjax").symlink_to(es5, target_is_directory=True)
    (site_dir / "index.html").write_text(BROKEN_PAGE, encoding="utf-8")
    (site_dir / "other.html").write_text('<html><body><p id="here">here</p></body></html>', encoding="utf-8")
    Image.new("RGB", (8, 8), "white").save(site_dir / "good.png")
    shot = tmp_path / "shot.png"
    with serve(site_dir) as origin:
        problems = page_problems(inspect_page(chromium, origin, "index.html", screenshot=shot), LinkChecker(origin))
    text = "\n".join(problems)
    expected = [
        r"MathJax error: Missing argument for \\frac",
        re.escape(r"formula not typeset: '\\(y\\)'"),  # repr() doubles the backslashes
        r"raw TeX in the text: .*\$\$x\$\$",
        r"raw TeX in the text: .*\\alpha",
        r"image did not load: missing\.png",
        rf"link to {origin}/other\.html#nowhere: no element with id 'nowhere'",
        rf"link to {origin}/gone\.html: HTTP 404",
        r"HTTP 404: .*/missing\.png",
        r"console error: Failed to load resource.*404.*/missing\.png",
        r"console error: Failed to load resource.*BLOCKED_BY_CLIENT.*tracker\.js",
        r"console error: boom",
        r"request to another host: http://example\.invalid/tracker\.js",
    ]
    for pattern in expected:
        assert re.search(pattern, text), f"no problem matching {pattern!r} in:\n{text}"
    unexpected = [line for line in problems if not any(re.search(p, line) for p in expected)]
    assert not unexpected, "reported, though fine:\n" + "\n".join(unexpected)
    assert shot.stat().st_size > 0


# --- the pure functions, no browser -----------------------------------------------------


def test_find_chromium_order_and_reasons() -> None:
    """$CHROMIUM wins; then chromium, then chromium-browser; the reason names the fix,
    and under CI says that installing it was tried."""
    on_path = {"chromium-browser": "/usr/bin/chromium-browser", "/opt/c/chrome": "/opt/c/chrome"}
    assert find_chromium({}, on_path.get) == ("/usr/bin/chromium-browser", "")
    assert find_chromium({"CHROMIUM": "/opt/c/chrome"}, on_path.get) == ("/opt/c/chrome", "")
    path, reason = find_chromium({"CHROMIUM": "/nope"}, on_path.get)
    assert path is None and "CHROMIUM=/nope" in reason
    path, reason = find_chromium({}, {}.get)
    assert path is None and "apt-get install chromium" in reason and "CI" not in reason
    assert "could not" in find_chromium({"CI": "true"}, {}.get)[1]


def test_toc_pages_reads_parts_chapters_and_sections(tmp_path: Path) -> None:
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: A\n    chapters:\n"
        "      - file: book/a\n        sections:\n          - file: book/a1.md\n"
        "  - caption: B\n    chapters:\n      - file: book/b\n      - url: https://example.org\n",
        encoding="utf-8",
    )
    assert toc_pages(toc) == ["book/intro.html", "book/a.html", "book/a1.html", "book/b.html"]


def test_screenshot_names_and_folder() -> None:
    assert screenshot_name("book/convolution.html") == "book-convolution.png"
    assert screenshot_dir({"BOOK_SCREENSHOTS": "/tmp/shots"}) == Path("/tmp/shots")
    assert screenshot_dir({}) == REPO / "_build" / "screenshots"


def test_raw_tex_finds_delimiters_and_commands_only() -> None:
    assert raw_tex("costs $5 and 10% of a\\b") == []
    for tex in ["$$x$$", r"\[x\]", r"\(x\)", r"\frac{1}{2}", r"\begin{aligned}"]:
        assert raw_tex(f"see {tex} here") == [f"see {tex} here"], tex
    far_apart = "$$" + "." * 50 + "\\alpha"
    assert raw_tex(far_apart) == ["$$" + "." * 20, "." * 20 + "\\alpha"]


def test_link_checker() -> None:
    """Only same-origin links are fetched, each target once; a missing page, a missing
    fragment and a page that answers an error are reported, fragments of files are not."""
    pages = {
        "http://h:1/a.html": Target(200, {"top"}),
        "http://h:1/img.png": Target(200, None),
        "http://h:1/gone.html": Target(404, None),
    }
    calls: list[str] = []

    def fetch(url: str) -> Target:
        calls.append(url)
        return pages[url]

    checker = LinkChecker("http://h:1", fetch)
    links = ["http://h:1/a.html#top", "http://h:1/a.html", "http://h:1/a.html#gone",
             "http://h:1/img.png#x", "http://h:1/gone.html", "https://example.org/a.html#x",
             "mailto:someone@example.org"]
    assert checker.problems(links) == [
        "link to http://h:1/a.html#gone: no element with id 'gone' there",
        "link to http://h:1/gone.html: HTTP 404",
    ]
    assert checker.problems(links[:1]) == []
    assert sorted(calls) == ["http://h:1/a.html", "http://h:1/gone.html", "http://h:1/img.png"]


def test_page_problems_lists_each_fault() -> None:
    seen = {"mathjax": False, "typesetError": None, "merrors": [], "maths": 2,
            "unrendered": [r"\(x\)"], "text": "fine", "images": [{"src": "a.png", "ok": True}],
            "links": []}
    report = PageReport(url="u", status=200, seen=seen, events=["console error: x"], blocked=["http://cdn/x.js"])
    assert page_problems(report, LinkChecker("http://h:1")) == [
        "2 formulas but MathJax did not load",
        r"formula not typeset: '\\(x\\)'",
        "console error: x",
        "request to another host: http://cdn/x.js",
    ]
    fine = PageReport(url="u", status=200, seen=seen | {"maths": 0, "unrendered": []})
    assert page_problems(fine, LinkChecker("http://h:1")) == []
