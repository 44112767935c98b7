"""End-to-end test of the book: build it with the real CLI, then read the HTML.

The build is the `book` fixture of conftest.py: the one `make book` runs (warnings are
errors, nitpicky references, every chapter executed), written into a temporary folder so
that it never touches the repository's _build/, once per test run for this module and
test_browser.py together. The tests below only read its output.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from cs231n_utils.run_record import read_run_record
from nbgrader_course import SOLUTIONS
from secret_lines import find_leaks, find_secrets, html_to_text

if TYPE_CHECKING:  # the `book` fixture's type; pytest injects the value from conftest.py
    from conftest import Build

# xdist_group keeps the book's tests on one worker under `--dist loadgroup`; under
# `make test`'s `--dist loadfile` the conftest's file lock still builds the book once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

REPO = Path(__file__).resolve().parents[2]

# Every page the book should have, relative to the html folder. Anything else (a page
# from solutions/, assignments/, README.md, ...) means the toc or the excludes leak.
EXPECTED_PAGES = {
    "index.html",  # redirect to the root page, written by sphinx-external-toc
    "book/intro.html",
    "book/affine_relu.html",
    "book/losses.html",
    "book/normalization.html",
    "book/convolution.html",
    "book/pooling.html",
    "book/im2col.html",
    "book/training.html",
    "book/debugging.html",
    "book/zoo/index.html",
    "book/zoo/lenet.html",
    "book/zoo/alexnet.html",
    "book/zoo/vgg.html",
    "book/zoo/nin.html",
    "book/zoo/googlenet.html",
    "book/zoo/batchnorm.html",
    "book/zoo/resnet.html",
    "book/zoo/densenet.html",
    "book/zoo/experiments.html",
    "book/bibliography.html",
    "genindex.html",
    "search.html",
}
CHAPTER = "book/affine_relu.html"
TRAINING = "book/training.html"
RUN_RECORD = REPO / "results" / "numpy-convnet" / "record.json"
MATHJAX_SCRIPT = "_static/mathjax/tex-mml-chtml.js"

GRADED_FUNCTIONS = ["affine_forward", "affine_backward", "relu_forward", "relu_backward",
                    "sgd", "sgd_momentum", "rmsprop", "adam"]


class _Assets(HTMLParser):
    """Collects the URLs a page loads: <script src> and <link href> (stylesheets etc.)."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "script" and attr.get("src"):
            self.scripts.append(attr["src"])
        # Stylesheets, preloads and icons, and also next/prev/index/search, which must
        # lead to pages of this site.
        if tag == "link" and attr.get("href"):
            self.links.append(attr["href"])


def _assets(page_html: str) -> _Assets:
    parser = _Assets()
    parser.feed(page_html)
    return parser


def _is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//")) or bool(urlsplit(url).scheme)


def _visible_text(page_html: str) -> str:
    return html_to_text(page_html, drop_scripts=True)


def test_build_succeeds(book: Build) -> None:
    """The book builds with warnings as errors and writes the site's entry page."""
    assert book.result.returncode == 0
    assert (book.html / "index.html").is_file(), f"no index.html in {book.html}"


def test_pages_are_exactly_the_toc(book: Build) -> None:
    """Only the toc's files become pages: nothing from solutions/, assignments/, README."""
    pages = book.pages()
    assert pages == EXPECTED_PAGES, f"unexpected pages {sorted(pages ^ EXPECTED_PAGES)}"
    leaked = [
        p for p in book.html.rglob("*")
        if re.search(r"(^|/)(solutions|assignments|tests)(/|$)|readme", p.relative_to(book.html).as_posix(), re.I)
    ]
    assert not leaked, f"built files from outside the book: {leaked[:5]}"
    assert "book/intro.html" in book.read("index.html"), "index.html does not redirect to the intro"


def test_chapter_is_rendered(book: Build) -> None:
    """The chapter's heading, prose, executed outputs, maths and references are there."""
    page = book.read(CHAPTER)
    text = re.sub(r"\s+", " ", _visible_text(page))
    assert "Affine layers, activations and dropout" in text
    assert "a broadcast in the forward pass becomes a sum in the backward pass" in text
    # Display maths reaches MathJax as TeX within \[ ... \]; {math} labels get numbers.
    assert re.search(r"\\\[(\\begin\{split\})?\\begin\{gathered\}\s*\\mathrm\{out\} = X W \+ b,.*?\\\]", page, re.S), "affine equation missing"
    assert 'id="equation-affine-forward"' in page and 'href="#equation-affine-forward"' in page
    assert re.search(r'<span class="math notranslate nohighlight">\\\(N\\\)</span>', page)
    # glue pasted numbers computed by the executed cells into the prose.
    assert re.search(r"\d+ of the \d+ units are silent on all \d+ examples", text)
    assert re.search(r"against autograd is \d\.\de[-+]\d\d", text), "glued error missing"
    # The ReLU figure was produced by a cell and copied into the site.
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', page)
    assert images, "no figure in the chapter"
    for src in images:
        assert (book.html / "book" / src).resolve().is_file(), f"missing image {src}"


def test_affine_activations_dropout_chapter(book: Build) -> None:
    """Chapter 5: affine backward pass by matrix differentials, four activations with
    saturation and dead units, inverted dropout; numbers glued, figures present, and no
    dropout code shaped like the graded function."""
    page = book.read(CHAPTER)
    text = re.sub(r"\s+", " ", _visible_text(page))
    for label in ["affine-forward", "affine-reshape", "affine-backward-index", "affine-backward",
                  "affine-differential", "affine-trace", "relu-forward", "relu-backward",
                  "act-backward", "leaky-relu", "sigmoid", "tanh", "tanh-derivative",
                  "chain-of-slopes", "dropout-forward", "dropout-mean", "dropout-original",
                  "dropout-var", "dropout-backward"]:
        assert f'id="equation-{label}"' in page, f"equation {label} missing"
    for target in ["affine-activations", "affine-dropout", "tab-affine-shapes", "tab-activations",
                   "fig-affine-shapes", "fig-activations", "fig-vanishing", "fig-dropout"]:
        assert f'id="{target}"' in page, f"{target} missing"
    # Numbers computed while the book was built, pasted by glue.
    for pattern in [
        r"forward-mode derivative to a relative error of \d\.\de[-+]\d\d",
        r"agree with autograd to a relative error of at most \d\.\de[-+]\d\d",
        r"shrunk to at most \d\.\de-\d\d of its size",
        r"passed to PyTorch as p \\\(=\\\) 0\.2 kept \d+\.\d% of them; passed unchanged, it kept \d+\.\d%",
        r"root mean square between \d\.\d\d and \d\.\d\d",
        r"mean settles at 0\.\d{3} of the input",
        r"to within \d+\.\d% for every",
    ]:
        assert re.search(pattern, text), f"glued number missing: {pattern}"
    # The drop-probability convention of PyTorch is spelled out.
    assert "torch.nn.functional.dropout(x, p=1 - keep, training=True)" in text
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', page)
    assert len(images) >= 4, f"{len(images)} figures in the chapter"
    for src in images:
        assert (book.html / "book" / src).resolve().is_file(), f"missing image {src}"
    # Dropout is checked with PyTorch and formulas, never with the graded function's code.
    assert not re.search(r"def\s+dropout_(forward|backward)\b", text)
    assert "np.random.rand" not in text


def test_im2col_chapter_is_rendered(book: Build) -> None:
    """The im2col chapter: its equations, numbers glued from its executed checks, the
    timing measured while the book was built with the machine and libraries named, its
    figures, and no fast layer of the graded notebook defined on the page."""
    page = book.read("book/im2col.html")
    text = re.sub(r"\s+", " ", _visible_text(page))
    assert "Fast convolution with im2col" in text
    for label in ["im2col-def", "im2col-gemm", "im2col-backward", "col2im-def", "im2col-adjoint",
                  "im2col-memory", "conv-flops", "winograd-f23"]:
        assert f'id="equation-{label}"' in page, f"equation {label} missing"
    # Checks run at build time, their results pasted by glue.
    assert re.search(r"agrees with conv2d, with a largest relative error of \d\.\de[-+]\d\d", text)
    assert re.search(r"agree to a relative error of \d\.\de[-+]\d\d", text), "adjoint check missing"
    assert re.search(r"the column matrix takes [\d,]+ MiB in float64", text), "memory cost missing"
    assert re.search(r"64-channel layer \d+\.\d GFLOP forward", text), "FLOP count missing"
    # The timing: measured during the build, naming the hardware and library versions.
    assert re.search(r"measured on CPU: .+?, \d+ logical cores, with numpy \d+\.\d+", text)
    assert re.search(r"PyTorch \d+\.\d+\S* on \d+ threads", text)
    assert re.search(r"im2col is [\d,]+ times as fast as the loops forward", text)
    assert "make bench" in text
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', page)
    assert len(images) >= 6, f"{len(images)} figures in the im2col chapter"
    for src in images:
        assert (book.html / "book" / src).resolve().is_file(), f"missing image {src}"
    # The fast layers are the graded notebook's job: never defined on this page.
    for name in ["conv_forward_fast", "conv_backward_fast", "im2col", "col2im",
                 "max_pool_forward_fast", "max_pool_backward_fast"]:
        assert not re.search(rf"def\s+{name}\b", text), f"the page defines {name}"


def test_debugging_chapter_is_rendered(book: Build) -> None:
    """The debugging chapter: its equations, numbers glued from its executed cells (gradient
    checks, kinks, sparse checks, bugs, training runs), its tables and its figures."""
    page = book.read("book/debugging.html")
    text = re.sub(r"\s+", " ", _visible_text(page))
    assert "Debugging a network" in text
    for label in ["debug-one-sided", "debug-centred", "debug-error-model", "debug-optimal-h",
                  "debug-rel-error", "debug-sparse-detect"]:
        assert f'id="equation-{label}"' in page, f"equation {label} missing"
    # Numbers computed while the book was built, pasted by glue.
    assert re.search(r"fitted slopes [01]\.\d\d \(one-sided\) and [12]\.\d\d \(centred\)", text), "glued slopes missing"
    assert re.search(r"X\\\) of shape 4 × 6", text), "glued layer shape missing"
    assert re.search(r"reports \de-0\d, a value that would normally mean a bug", text)
    assert re.search(r"With \\\(h = 10\^\{-3\}\\\), \d+ of the 108 entries cross a kink", text)
    assert re.search(r"Ten random entries find this bug in only \d+% of the seeds", text)
    assert re.search(r"the missing \\\(2\\\) gives \de-\d\d at", text), "glued L2 bug error missing"
    assert re.search(r"settles at 2\.\d\d, almost exactly", text), "glued too-high learning rate missing"
    assert re.search(r"reaches 100% training accuracy, while the validation accuracy stops at \d+%", text)
    assert re.search(r"differs from \\\(\\log K\\\) by at most \de-0\d", text), "glued stuck-network loss missing"
    for row in ["dW1 transposed", "L2 gradient without its 2", "ReLU, input exactly 0", "all 216"]:
        assert row in text, f"glued table row {row!r} missing"
    assert "<IPython.core.display.Markdown object>" not in text
    assert "Symptom" in text and "The check that tells them apart" in text   # the checklist
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', page)
    assert len(images) >= 6, f"{len(images)} figures in the debugging chapter"
    for src in images:
        assert (book.html / "book" / src).resolve().is_file(), f"missing image {src}"


def test_training_chapter_is_rendered(book: Build) -> None:
    """The training chapter: its equations, numbers glued from its executed cells, its
    figures, no update rule written as code, and the run record's section in the state
    that matches results/ (the results when the record exists, a notice otherwise)."""
    page = book.read(TRAINING)
    text = re.sub(r"\s+", " ", _visible_text(page))
    assert "Training a ConvNet in numpy" in text
    for label in ["train-adam", "train-var-recursion", "train-he"]:
        assert f'id="equation-{label}"' in page, f"equation {label} missing"
    # Numbers computed while the book was built, pasted by glue.
    assert re.search(r"log 10 =\\\) 2\.3026", text), "glued log 10 missing"
    assert re.search(r"initial loss is 2\.30\d+, within \de-\d\d of", text), "glued initial loss missing"
    assert re.search(r"relative error of at most \d\.\de[-+]\d\d", text), "glued gradient check missing"
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', page)
    assert len(images) >= 7, f"{len(images)} figures in the training chapter"
    for src in images:
        assert (book.html / "book" / src).resolve().is_file(), f"missing image {src}"
    # The update rules are formulas on this page, never code with the assignment's signatures.
    assert not re.search(r"\b(sgd|sgd_momentum|rmsprop|adam)\s*\(\s*w\s*,\s*dw", text)
    assert "make train-numpy" in text
    if RUN_RECORD.is_file():
        record = read_run_record(RUN_RECORD)
        assert "has not been recorded yet" not in text
        assert f"{record['test_accuracy']:.2%}" in text, "the record's test accuracy is not on the page"
        assert record["git_commit"] in text
    else:
        assert "The run has not been recorded yet" in text, "no notice for the missing run record"


ZOO_PAGES = {  # page: (title, its equation labels)
    "book/zoo/index.html": ("The model zoo in PyTorch", []),
    "book/zoo/lenet.html": ("LeNet", ["zoo-param-count"]),
    "book/zoo/alexnet.html": ("AlexNet", ["zoo-output-side"]),
    "book/zoo/vgg.html": ("VGG", ["zoo-vgg-stack"]),
    "book/zoo/nin.html": ("Network in network", ["zoo-conv-1x1"]),
    "book/zoo/googlenet.html": ("GoogLeNet", ["zoo-inception-width"]),
    "book/zoo/batchnorm.html": ("Batch normalisation in practice", ["zoo-bn-bias"]),
    "book/zoo/resnet.html": ("ResNet", ["zoo-residual", "zoo-block-params"]),
    "book/zoo/densenet.html": ("DenseNet", ["zoo-dense-width"]),
    "book/zoo/experiments.html": ("Experiments on CIFAR-10", ["zoo-loss-band"]),
}


def test_zoo_pages_are_rendered(book: Build) -> None:
    """The model-zoo part: every page's title, equations and figures; parameter counts and
    channel arithmetic glued from the zoo; the results tables in the state of results/
    (a recorded run's accuracy and command, or "pending" with the planned command)."""
    from cs231n_utils import zoo_results
    from cs231n_utils.zoo import MODELS

    texts = {}
    for page, (title, labels) in ZOO_PAGES.items():
        page_html = book.read(page)
        text = texts[page] = re.sub(r"\s+", " ", _visible_text(page_html))
        assert f"{title}#" in text, f"{page}: title {title!r} missing"
        for label in labels:
            assert f'id="equation-{label}"' in page_html, f"{page}: equation {label} missing"
        images = re.findall(r'<img[^>]+src="([^"]+\.png)"', page_html)
        if page != "book/zoo/experiments.html":  # its figures wait for the GPU runs
            assert images, f"{page}: no figure"
        for src in images:
            assert (book.html / "book" / "zoo" / src).resolve().is_file(), f"{page}: missing image {src}"
        assert "Figure size" not in text, f"{page}: a figure was shown as text"
    assert "The seed reports 62,006 parameters for it and the zoo's build has 62,006" in \
        texts["book/zoo/lenet.html"].replace("\u2019", "'")
    assert re.search(r"it has 692,122 parameters, and cifar_resnet_deep, with three, has 1,080,090",
                     texts["book/zoo/resnet.html"])
    assert "the block outputs 64 + 128 + 32 + 32 = 256 channels" in texts["book/zoo/googlenet.html"]
    assert re.search(r"was \d+ GFLOP/s", texts["book/zoo/index.html"]), "measured CPU rate missing"
    index = texts["book/zoo/index.html"]
    for row in zoo_results.model_rows(MODELS):
        assert row.command in index, f"no command for {row.run}"
        if row.pending:
            assert f"{row.run} {row.model} {row.dataset} {zoo_results.PENDING}" in index, row.run
        else:
            assert f"{row.test_accuracy:.2%}" in index, row.run
    experiments = texts["book/zoo/experiments.html"]
    for experiment in ("landscape", "dropout", "feature-maps"):
        for name in zoo_results.experiment_runs(experiment):
            assert f"--name {name}" in experiments, name
    if not zoo_results.find_records():
        assert experiments.count(zoo_results.PENDING) >= 3 + len(zoo_results.experiment_runs("landscape"))
        assert "<img" not in book.read("book/zoo/experiments.html")


def test_intro_is_rendered(book: Build) -> None:
    """The intro covers the assignments workflow and the notation glossary."""
    text = re.sub(r"\s+", " ", _visible_text(book.read("book/intro.html")))
    for phrase in ["assignments/pilot/affine_relu.ipynb", "YOUR CODE HERE", "make release", "Notation",
                   "What to install", "make venv", "CS231N_DATA"]:
        assert phrase in text, f"intro lacks {phrase!r}"
    # The chapter-to-assignment map names every notebook of the numpy assignment.
    for notebook in ["01_fully_connected", "02_normalization", "03_convolution", "04_fast_layers",
                     "05_optimization", "06_convnets"]:
        assert f"assignments/layers/{notebook}.ipynb" in text, f"intro does not map {notebook}"
    glossary = text[text.index("Notation") :]
    for meaning in ["batch size", "channels", "height and width", "number of filters",
                    "of each filter", "output height and width", "flattened input size",
                    "output features"]:
        assert meaning in glossary, f"glossary lacks {meaning!r}"


@pytest.mark.parametrize("page", sorted(EXPECTED_PAGES))
def test_assets_are_local(book: Build, page: str) -> None:
    """Every script and stylesheet is a file in the built site: the book works offline."""
    assets = _assets(book.read(page))
    for url in assets.scripts + assets.links:
        assert not _is_remote(url), f"{page} loads {url} from the network"
        assert "cdn.jsdelivr" not in url and "mathjax@" not in url, f"{page} loads {url}"
        target = urlsplit(url).path  # "" for "#": the page itself
        path = (book.html / page).parent / target if target else book.html / page
        assert path.resolve().is_file(), f"{page} loads {url}, which is not in the site"


@pytest.mark.parametrize("page", ["book/intro.html", CHAPTER, TRAINING])
def test_mathjax_is_served_locally(book: Build, page: str) -> None:
    """Pages with maths load MathJax 3 from _static/mathjax/, after its configuration."""
    page_html = book.read(page)
    scripts = [urlsplit(s).path for s in _assets(page_html).scripts]
    mathjax = [s for s in scripts if "mathjax" in s.lower()]
    assert mathjax == [f"../{MATHJAX_SCRIPT}"], f"{page} MathJax scripts: {mathjax}"
    assert (book.html / MATHJAX_SCRIPT).is_file()
    # MathJax fetches its fonts relative to the script at run time.
    assert any((book.html / "_static/mathjax/output/chtml/fonts/woff-v2").glob("*.woff"))
    # The configuration MyST sets (which HTML classes hold maths) comes first.
    config = page_html.find("window.MathJax = ")
    assert 0 <= config < page_html.find(MATHJAX_SCRIPT), f"{page}: MathJax config missing or late"
    assert "processHtmlClass" in page_html[config : config + 300]


def test_book_shows_no_solution_or_hidden_test(book: Build) -> None:
    """No built file (pages, sources, downloads) holds a secret line of solutions/."""
    leaks = find_leaks(find_secrets(SOLUTIONS), [book.html], {".html", ".txt", ".md", ".ipynb", ".py"})
    assert not leaks, "secret lines in the built book:\n" + "\n".join(leaks)
    for path in book.html.rglob("*.html"):
        text = _visible_text(path.read_text(encoding="utf-8"))
        for name in GRADED_FUNCTIONS:
            assert not re.search(rf"def\s+{name}\b", text), f"{path.name} defines {name}"
