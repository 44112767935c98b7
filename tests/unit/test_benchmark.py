"""cs231n_utils.benchmark in its quick mode, on stand-in layers (no timing assertions)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from nbformat.v4 import new_code_cell, new_notebook

from cs231n_utils import benchmark

REPO = Path(__file__).resolve().parents[2]


# Stand-ins with the course's signatures: torch underneath, so the values are right.
def conv_forward(x, w, b, conv_param):
    out = TF.conv2d(*(torch.from_numpy(a) for a in (x, w, b)), stride=conv_param["stride"], padding=conv_param["pad"])
    return out.numpy(), (x, w, b, conv_param)


def conv_backward(dout, cache):
    x, w, b, conv_param = cache
    xt, wt, bt = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
    out = TF.conv2d(xt, wt, bt, stride=conv_param["stride"], padding=conv_param["pad"])
    out.backward(torch.from_numpy(dout))
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


def pool_forward(x, pool_param):
    kernel = (pool_param["pool_height"], pool_param["pool_width"])
    return TF.max_pool2d(torch.from_numpy(x), kernel, stride=pool_param["stride"]).numpy(), (x, pool_param)


def pool_backward(dout, cache):
    x, pool_param = cache
    xt = torch.from_numpy(x).requires_grad_()
    kernel = (pool_param["pool_height"], pool_param["pool_width"])
    TF.max_pool2d(xt, kernel, stride=pool_param["stride"]).backward(torch.from_numpy(dout))
    return xt.grad.numpy()


def unfinished(*args, **kwargs):
    raise NotImplementedError("not yet")


STAND_INS = (conv_forward, conv_backward, pool_forward, pool_backward)


def test_median_times_interleaves_and_times_each_call_right_after_its_own_lead_in():
    calls = []
    functions = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    times = benchmark.median_times(functions, repeat=3, warmup=1, cold=("c",))
    assert set(times) == set("abc") and all(t >= 0 for t in times.values())
    # warm-up (not for the cold c), then rounds of a lead-in and a timed call each
    assert "".join(calls) == "ab" + "aabbc" * 3


def test_torch_layers_match_the_course_signatures():
    conv_f, conv_b, pool_f, pool_b = benchmark.torch_layers()
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    out, cache = conv_f(x, w, b, {"stride": 1, "pad": 1})
    dx, dw, db = conv_b(np.ones_like(out), cache)
    assert out.shape == (2, 4, 6, 6) and dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape
    np.testing.assert_allclose(db, np.full(4, 72.0))
    out, cache = pool_f(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    assert out.shape == (2, 3, 3, 3) and pool_b(np.ones_like(out), cache).sum() == pytest.approx(out.size)


def test_conv_flops():
    # 2 N F H' W' C HH WW with H' = W' = 16
    assert benchmark.conv_flops((100, 3, 31, 31), (25, 3, 3, 3), 2, 1) == 2 * 100 * 25 * 16 * 16 * 3 * 9


def test_compare_layers_reports_ratios_and_leaves_out_unfinished_layers():
    layers = {"naive": (unfinished, unfinished, pool_forward, pool_backward), "fast": STAND_INS}
    text = benchmark.compare_layers(layers, x_shape=(2, 3, 6, 6), w_shape=(2, 3, 3, 3), repeat=1)
    assert "fast/torch" in text and "fast/naive" in text
    assert "naive: not implemented" in text
    pool_rows = [line for line in text.splitlines() if line.startswith("pool:")]
    assert len(pool_rows) == 2 and all("1/" in line for line in pool_rows)


@pytest.fixture(scope="module")
def quick_report():
    """One quick run with a second set of fast layers: (the report, the lines it emitted)."""
    lines = []
    layers = {"naive": STAND_INS, "fast": STAND_INS, benchmark.AGAINST: STAND_INS}
    return benchmark.run_benchmark(layers, quick=True, emit=lines.append), lines


def table_column(report: str, section: str, row_start: str, column: str) -> list[str]:
    """The cells of ``column`` in the rows starting with ``row_start`` of the table under
    the heading that starts with ``section`` (cells are separated by two or more spaces)."""
    table = report.split(f"== {section}")[1].split("\n\n")[0]
    header = next(line for line in table.splitlines() if line.startswith(("operation", "target")))
    index = re.split(r"\s{2,}", header.strip()).index(column)
    return [re.split(r"\s{2,}", line.strip())[index] for line in table.splitlines() if line.startswith(row_start)]


def test_quick_run_prints_every_section_and_the_targets(quick_report):
    report, lines = quick_report
    assert report == "\n".join(lines)
    for needle in ("numpy BLAS kernel", "torch threads", "matmul", "GFLOP/s", "fast/naive", "fast/torch",
                   "CS231n's shape", "CIFAR-style layer", "max pooling", "targets", "QUICK MODE"):
        assert needle in report, needle
    targets = report.split("== targets")[1]
    assert targets.count("PASS") + targets.count("FAIL") == 5


def test_a_second_set_of_fast_layers_is_timed_beside_the_first(quick_report):
    report, _ = quick_report
    for section, rows in (("convolution, CS231n", 4), ("convolution, a CIFAR", 4), ("max pooling", 4)):
        ratios = table_column(report, section, ("conv:", "pool:"), "fast/against")
        assert len(ratios) == rows and "-" not in ratios, section


def test_the_im2col_products_are_timed_beside_the_cifar_style_layer_only(quick_report):
    report, _ = quick_report
    for column in ("products ms", "products/torch", "products GFLOP/s"):
        cells = table_column(report, "convolution, a CIFAR", "conv:", column)
        assert len(cells) == 4 and "-" not in cells, column
    assert "products" not in report.split("== convolution, CS231n")[1].split("\n\n")[0]
    targets = table_column(report, "targets", "conv fwd+bwd, CIFAR", "products/torch")
    assert len(targets) == 2 and "-" not in targets


def test_im2col_products_are_the_three_products_of_the_layers_sizes():
    conv_f, conv_b, pool_f, pool_b = benchmark.im2col_products((2, 3, 7, 7), (4, 3, 3, 2), 2, 1, np.float32)
    out, cache = conv_f(None, None, None, None)
    dcols, dw, db = conv_b(None, cache)
    pixels, kernel = 2 * 4 * 4, 3 * 3 * 2  # H' = 1 + (7 + 2 - 3) // 2, W' = 1 + (7 + 2 - 2) // 2
    assert out.shape == (4, pixels) and dcols.shape == (kernel, pixels) and dw.shape == (4, kernel)
    assert out.dtype == dw.dtype == np.float32 and db is None and pool_f is None and pool_b is None


def test_importing_prints_nothing():
    code = "import cs231n_utils.benchmark"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, "OPENBLAS_THREAD_TIMEOUT": "4"}, timeout=120)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


@pytest.mark.slow
def test_command_line_quick_mode_loads_the_notebooks(tmp_path):
    def solution(source):
        meta = {"nbgrader": {"solution": True, "grade": False, "grade_id": "impl", "locked": False, "schema_version": 3}}
        return new_code_cell(source, metadata=meta)

    # Stand-in notebooks: the functions above, copied into solution cells.
    import inspect

    body = "import torch\nimport torch.nn.functional as TF\n\n" + "\n\n".join(
        inspect.getsource(f) for f in STAND_INS)
    for notebook, kind in (("03_convolution.ipynb", "naive"), ("04_fast_layers.ipynb", "fast")):
        renames = "\n".join(
            f"{op}_{kind} = {f.__name__}" for op, f in zip(
                ("conv_forward", "conv_backward", "max_pool_forward", "max_pool_backward"), STAND_INS))
        nbformat.write(new_notebook(cells=[solution(body + "\n\n" + renames)]), tmp_path / notebook)
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    result = subprocess.run(
        [sys.executable, "-m", "cs231n_utils.benchmark", "--notebooks", str(tmp_path), "--quick",
         "--against", str(tmp_path)],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "OPENBLAS_THREAD_TIMEOUT: 4" in result.stdout  # set by the module itself
    assert "WARNING" not in result.stdout
    assert "fast/naive" in result.stdout and "fast/torch" in result.stdout and "== targets" in result.stdout
    assert "fast/against" in result.stdout
