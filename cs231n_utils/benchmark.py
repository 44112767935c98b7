"""Time convolution and pooling layers side by side: naive, fast and PyTorch's CPU operators.

    python -m cs231n_utils.benchmark [--notebooks solutions/layers] [--against FOLDER] [--quick] [--fast-blas]

loads the naive layers from ``<notebooks>/03_convolution.ipynb`` and the fast ones from
``<notebooks>/04_fast_layers.ipynb`` (with :mod:`cs231n_utils.notebook_import`, so an
instructor times the reference solutions and a student, pointing ``--notebooks`` at their
own folder, times their own code). This module holds no layer code: it only times the
functions it is given, all in one process with the same threads, and prints medians,
the ratios fast/naive and fast/torch, the achieved GFLOP/s next to the machine's own
numpy matrix-product GFLOP/s, and a table of the course's speed targets.

Layers are passed as ``{name: (conv_forward, conv_backward, pool_forward, pool_backward)}``
with CS231n's signatures (``conv_forward(x, w, b, conv_param) -> (out, cache)`` and so on).
:func:`compare_layers` is the small version a notebook shows; :func:`run_benchmark` the
full one. Importing the module prints nothing and changes nothing.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    # numpy and torch share this process: without a timeout idle OpenBLAS threads spin and
    # slow torch down. It only works before numpy is first imported, so set it here.
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

# Whether numpy was already loaded, and OpenBLAS configured, before this module ran.
_NUMPY_PRELOADED_WITHOUT_TIMEOUT = "numpy" in sys.modules and "OPENBLAS_THREAD_TIMEOUT" not in os.environ

import argparse
import ctypes
import glob
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "Layers",
    "median_times",
    "matmul_gflops",
    "blas_info",
    "torch_layers",
    "im2col_products",
    "compare_layers",
    "run_benchmark",
    "main",
]

# (conv_forward, conv_backward, max_pool_forward, max_pool_backward); any may be None.
Layers = tuple[Callable | None, Callable | None, Callable | None, Callable | None]

# Environment variables that pick OpenBLAS's kernel or cache model; set on some machines
# for reproducibility, they can make numpy's matrix product much slower.
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

# The course's speed targets for the reference fast layers (2-core CPU).
TARGET_SPEEDUP_NAIVE = 1000.0
TARGET_TORCH_RATIO = {"float64": 1.0, "float32": 1.5}
TARGET_POOL_TORCH_RATIO = 2.0
# The name under which `--against` times a second set of fast layers beside the first.
AGAINST = "against"
# The name under which the matrix products of an im2col convolution are timed alone.
PRODUCTS = "products"


# --- timing ------------------------------------------------------------------------------

def median_times(functions: dict[str, Callable[[], object]], repeat: int = 5, warmup: int = 1,
                 cold: Sequence[str] = ()) -> dict[str, float]:
    """Median wall time in seconds of each zero-argument callable.

    Each function first runs ``warmup`` times untimed (except those named in ``cold``,
    too slow to run for nothing). The timed calls are interleaved (a, b, c, a, b, c, ...)
    so that a change in the machine's load during the run affects every function alike
    and their ratios stay fair, and each timed call comes right after an untimed call of
    the same function (again except the ``cold`` ones): what one function leaves behind
    (memory it freed, threads still spinning) can slow the next one, and on the
    development machine a numpy convolution that allocates large buffers ran much slower
    right after PyTorch's, which had just freed its own. So every function is timed in
    its own steady state, as in a training loop that runs it again and again.
    """
    for name, fn in functions.items():
        for _ in range(0 if name in cold else warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, fn in functions.items():
            if name not in cold:
                fn()  # untimed: the timed call follows this function, not another one
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in samples.items()}


def matmul_gflops(dtype=np.float32, n: int = 2048, repeat: int = 5) -> float:
    """GFLOP/s of numpy's matrix product of two (n, n) matrices on this machine."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    seconds = median_times({"mm": lambda: a @ b}, repeat=repeat)["mm"]
    return 2.0 * n**3 / seconds / 1e9


def conv_flops(x_shape: Sequence[int], w_shape: Sequence[int], stride: int, pad: int) -> float:
    """Multiply-adds x 2 of one convolution forward pass: 2 N F H' W' C HH WW."""
    n_images, channels, height, width = x_shape
    filters, _, kernel_h, kernel_w = w_shape
    out_h = (height + 2 * pad - kernel_h) // stride + 1
    out_w = (width + 2 * pad - kernel_w) // stride + 1
    return 2.0 * n_images * filters * out_h * out_w * channels * kernel_h * kernel_w


# --- the machine -------------------------------------------------------------------------

def _openblas_library():
    """numpy's OpenBLAS as a ctypes library with the symbol prefix it uses, or None."""
    libs_dir = Path(np.__file__).parent.parent / "numpy.libs"
    for path in sorted(glob.glob(str(libs_dir / "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas_", "64_"), ("openblas_", "64_"), ("openblas_", "")):
            if hasattr(lib, f"{prefix}get_corename{suffix}"):
                return lib, prefix, suffix
    return None


def blas_info() -> dict[str, object]:
    """numpy's BLAS (library, kernel, threads) and torch's thread count."""
    info: dict[str, object] = {"numpy": np.__version__}
    try:
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["numpy BLAS"] = f"{config.get('name')} {config.get('version')}"
    except Exception:  # show_config's layout is not a stable API
        info["numpy BLAS"] = "unknown"
    threads = None
    try:
        import threadpoolctl

        pools = [p for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            threads = pools[0]["num_threads"]
            info["numpy BLAS kernel"] = pools[0].get("architecture", "unknown")
    except ImportError:
        pass
    found = _openblas_library()
    if found is not None:
        lib, prefix, suffix = found
        corename = getattr(lib, f"{prefix}get_corename{suffix}")
        corename.restype = ctypes.c_char_p
        info["numpy BLAS kernel"] = corename().decode()
        if threads is None and hasattr(lib, f"{prefix}get_num_threads{suffix}"):
            threads = int(getattr(lib, f"{prefix}get_num_threads{suffix}")())
    info.setdefault("numpy BLAS kernel", "unknown")
    info["numpy BLAS threads"] = threads if threads is not None else "unknown"
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch threads"] = torch.get_num_threads()
    except ImportError:
        info["torch"] = "not installed"
    for name in ("OPENBLAS_THREAD_TIMEOUT", "OMP_NUM_THREADS", *BLAS_OVERRIDES):
        info[name] = os.environ.get(name, "(unset)")
    return info


# --- PyTorch as a layer with the course's signatures -------------------------------------

def torch_layers() -> Layers:
    """PyTorch's CPU convolution and max pooling behind CS231n's signatures.

    The forward pass records the autograd graph (the counterpart of a cache); the
    backward pass runs autograd. numpy arrays are shared with torch, not copied.
    """
    import torch
    import torch.nn.functional as TF

    def conv_forward(x, w, b, conv_param):
        leaves = [torch.from_numpy(array).requires_grad_() for array in (x, w, b)]
        out = TF.conv2d(*leaves, stride=conv_param["stride"], padding=conv_param["pad"])
        return out.detach().numpy(), (out, leaves)

    def conv_backward(dout, cache):
        out, leaves = cache
        out.backward(gradient=torch.from_numpy(dout))
        return tuple(leaf.grad.numpy() for leaf in leaves)

    def pool_forward(x, pool_param):
        x_leaf = torch.from_numpy(x).requires_grad_()
        kernel = (pool_param["pool_height"], pool_param["pool_width"])
        out = TF.max_pool2d(x_leaf, kernel, stride=pool_param["stride"])
        return out.detach().numpy(), (out, x_leaf)

    def pool_backward(dout, cache):
        out, x_leaf = cache
        out.backward(gradient=torch.from_numpy(dout))
        return x_leaf.grad.numpy()

    return conv_forward, conv_backward, pool_forward, pool_backward


def _faster(first: Callable[[], np.ndarray], second: Callable[[], np.ndarray]) -> Callable[[], np.ndarray]:
    """Whichever of two ways of computing the same product runs faster here."""
    seconds = median_times({"first": first, "second": second}, repeat=2)
    return first if seconds["first"] <= seconds["second"] else second


def im2col_products(x_shape, w_shape, stride: int, pad: int, dtype) -> Layers:
    """The three matrix products of an im2col convolution, timed alone, as a layer.

    On ready-made operands of the layer's sizes, ``cols (N*H'*W', C*HH*WW)``,
    ``w_flat (F, C*HH*WW)`` and ``dout_t (F, N*H'*W')``, the "forward pass" is
    ``w_flat @ cols.T`` and the "backward pass" ``dout_t @ cols`` (dw) and
    ``w_flat.T @ dout_t`` (dcols), each in the faster of its two orientations
    (``A @ B`` or ``(B.T @ A.T).T``) on this machine. No padding, no im2col copy, no
    col2im: what an im2col layer spends beyond this is the price of its copies, and the
    ratio of this to torch is about the best such a layer can reach with numpy's BLAS.
    The returned arrays are not a convolution's; only the time means something.
    """
    n_images, channels, height, width = x_shape
    filters, _, kernel_h, kernel_w = w_shape
    pixels = n_images * ((height + 2 * pad - kernel_h) // stride + 1) * ((width + 2 * pad - kernel_w) // stride + 1)
    rng = np.random.default_rng(2)
    cols = rng.standard_normal((pixels, channels * kernel_h * kernel_w)).astype(dtype)
    w_flat = rng.standard_normal((filters, channels * kernel_h * kernel_w)).astype(dtype)
    dout_t = rng.standard_normal((filters, pixels)).astype(dtype)
    forward = _faster(lambda: w_flat @ cols.T, lambda: (cols @ w_flat.T).T)
    dw = _faster(lambda: dout_t @ cols, lambda: (cols.T @ dout_t.T).T)
    dcols = _faster(lambda: w_flat.T @ dout_t, lambda: (dout_t.T @ w_flat).T)

    def conv_forward(x, w, b, conv_param):
        return forward(), None

    def conv_backward(dout, cache):
        return dcols(), dw(), None

    return conv_forward, conv_backward, None, None


# --- measurements ------------------------------------------------------------------------

@dataclass
class Measurement:
    """Median seconds per implementation of one operation on one shape and dtype."""

    op: str  # "conv" or "pool"
    label: str  # the shape, for the report
    dtype: str
    mode: str  # "forward" or "forward+backward"
    seconds: dict[str, float] = field(default_factory=dict)
    flops: float = 0.0  # of this mode, for conv; 0 for pooling
    skipped: dict[str, str] = field(default_factory=dict)  # name -> why


def _available(name: str, fn: Callable | None, probe: Callable[[], object], skipped: dict[str, str]) -> bool:
    if fn is None:
        skipped[name] = "not given"
        return False
    try:
        probe()
    except NotImplementedError:
        skipped[name] = "not implemented"
        return False
    return True


def _measure_conv(layers: dict[str, Layers], x_shape, w_shape, stride, pad, dtype, repeat) -> list[Measurement]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    conv_param = {"stride": stride, "pad": pad}
    label = f"x {tuple(x_shape)}, w {tuple(w_shape)}, stride {stride}, pad {pad}"
    flops = conv_flops(x_shape, w_shape, stride, pad)
    forward, both = {}, {}
    fwd = Measurement("conv", label, np.dtype(dtype).name, "forward", flops=flops)
    fb = Measurement("conv", label, np.dtype(dtype).name, "forward+backward", flops=3 * flops)
    for name, (conv_f, conv_b, _, _) in layers.items():
        if not _available(name, conv_f, lambda: conv_f(x, w, b, conv_param), fwd.skipped):
            fb.skipped[name] = fwd.skipped[name]
            continue
        out, _ = conv_f(x, w, b, conv_param)
        dout = rng.standard_normal(np.shape(out)).astype(dtype)
        forward[name] = lambda f=conv_f: f(x, w, b, conv_param)
        if _available(name, conv_b, lambda: conv_b(dout, conv_f(x, w, b, conv_param)[1]), fb.skipped):
            both[name] = lambda f=conv_f, g=conv_b, d=dout: g(d, f(x, w, b, conv_param)[1])
    fwd.seconds = median_times(forward, repeat=repeat, cold=("naive",))
    fb.seconds = median_times(both, repeat=repeat, cold=("naive",))
    return [fwd, fb]


def _measure_pool(layers: dict[str, Layers], x_shape, pool, dtype, repeat) -> list[Measurement]:
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape).astype(dtype)
    ph, pw, s = pool
    pool_param = {"pool_height": ph, "pool_width": pw, "stride": s}
    label = f"x {tuple(x_shape)}, pool {ph}x{pw}, stride {s}"
    fwd = Measurement("pool", label, np.dtype(dtype).name, "forward")
    fb = Measurement("pool", label, np.dtype(dtype).name, "forward+backward")
    forward, both = {}, {}
    for name, (_, _, pool_f, pool_b) in layers.items():
        if not _available(name, pool_f, lambda: pool_f(x, pool_param), fwd.skipped):
            fb.skipped[name] = fwd.skipped[name]
            continue
        out, _ = pool_f(x, pool_param)
        dout = rng.standard_normal(np.shape(out)).astype(dtype)
        forward[name] = lambda f=pool_f: f(x, pool_param)
        if _available(name, pool_b, lambda: pool_b(dout, pool_f(x, pool_param)[1]), fb.skipped):
            both[name] = lambda f=pool_f, g=pool_b, d=dout: g(d, f(x, pool_param)[1])
    fwd.seconds = median_times(forward, repeat=repeat, cold=("naive",))
    fb.seconds = median_times(both, repeat=repeat, cold=("naive",))
    return [fwd, fb]


# --- report ------------------------------------------------------------------------------

def _ratio(m: Measurement, a: str, b: str) -> float | None:
    if a in m.seconds and b in m.seconds and m.seconds[b] > 0:
        return m.seconds[a] / m.seconds[b]
    return None


def _format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(c.rjust(wd) if i else c.ljust(wd) for i, (c, wd) in enumerate(zip(r, widths)))
    return "\n".join([line(header), line(["-" * wd for wd in widths]), *map(line, rows)])


def _measurement_table(measurements: list[Measurement], names: list[str], peak: dict[str, float] | None = None) -> str:
    against, products = AGAINST in names, PRODUCTS in names
    header = ["operation", "dtype", "mode", *[f"{n} ms" for n in names], "fast/naive", "fast/torch"]
    if against:
        header.append(f"fast/{AGAINST}")
    if products:
        header.append(f"{PRODUCTS}/torch")
    rated = ["fast", "torch", *([PRODUCTS] if products else [])]  # the GFLOP/s columns
    if peak:
        header += [*(f"{n} GFLOP/s" for n in rated), "matmul GFLOP/s"]
    rows = []
    for m in measurements:
        times = [f"{1e3 * m.seconds[n]:.2f}" if n in m.seconds else "-" for n in names]
        speedup = _ratio(m, "naive", "fast")  # how many times faster the fast layer is
        vs_torch = _ratio(m, "fast", "torch")
        row = [
            f"{m.op}: {m.label}", m.dtype, m.mode, *times,
            f"1/{speedup:,.0f}" if speedup else "-",
            f"{vs_torch:.2f}" if vs_torch else "-",
        ]
        for wanted, a, b in ((against, "fast", AGAINST), (products, PRODUCTS, "torch")):
            if wanted:
                value = _ratio(m, a, b)
                row.append(f"{value:.2f}" if value else "-")
        if peak:
            gf = lambda n: f"{m.flops / m.seconds[n] / 1e9:.1f}" if m.flops and n in m.seconds else "-"
            row += [*map(gf, rated), f"{peak.get(m.dtype, 0):.1f}" if m.flops else "-"]
        rows.append(row)
    text = _format_table(header, rows)
    skipped = sorted({f"{n}: {why}" for m in measurements for n, why in m.skipped.items()})
    if skipped:
        text += "\nleft out: " + "; ".join(skipped)
    return text


def compare_layers(layers: dict[str, Layers], x_shape=(10, 3, 16, 16), w_shape=(8, 3, 3, 3), stride=1, pad=1,
                   pool=(2, 2, 2), repeat: int = 3, dtype=np.float64, with_torch: bool = True) -> str:
    """A small side-by-side timing, as a printable table (forward and forward+backward
    of a convolution and a 2x2 max pooling on ``x_shape``); torch is added as "torch".
    Functions that raise NotImplementedError are left out and listed."""
    layers = dict(layers)
    if with_torch:
        layers["torch"] = torch_layers()
    measurements = _measure_conv(layers, x_shape, w_shape, stride, pad, dtype, repeat)
    measurements += _measure_pool(layers, x_shape, pool, dtype, repeat)
    return _measurement_table(measurements, list(layers))


@dataclass(frozen=True)
class Shapes:
    small_conv: tuple  # (x_shape, w_shape, stride, pad): naive, fast and torch
    big_conv: tuple  # fast and torch only
    pool: tuple  # (x_shape, (ph, pw, s)): fast and torch
    matmul_n: int


FULL = Shapes(
    small_conv=((100, 3, 31, 31), (25, 3, 3, 3), 2, 1),  # CS231n's fast-layers comparison
    big_conv=((128, 64, 32, 32), (64, 64, 3, 3), 1, 1),  # a CIFAR-style ConvNet layer
    pool=((128, 64, 32, 32), (2, 2, 2)),
    matmul_n=2048,
)
QUICK = Shapes(
    small_conv=((2, 3, 7, 7), (2, 3, 3, 3), 2, 1),
    big_conv=((2, 4, 8, 8), (4, 4, 3, 3), 1, 1),
    pool=((2, 4, 8, 8), (2, 2, 2)),
    matmul_n=128,
)


def _target_rows(measurements: list[Measurement], shapes: Shapes) -> list[list[str]]:
    def find(op, label_start, dtype, mode="forward+backward"):
        for m in measurements:
            if m.op == op and m.label.startswith(label_start) and m.dtype == dtype and m.mode == mode:
                return m
        return None

    small = f"x {tuple(shapes.small_conv[0])}"
    big = f"x {tuple(shapes.big_conv[0])}"
    pool = f"x {tuple(shapes.pool[0])}"
    rows = []

    def add(what, m, a, b, limit, larger_is_better=False):
        value = _ratio(m, a, b) if m else None
        # For the layers compared with torch: how close the matrix products alone come.
        products = _ratio(m, PRODUCTS, "torch") if m else None
        products_shown = f"{products:.2f}" if products else "-"
        if value is None:
            rows.append([what, "-", "n/a", products_shown])
            return
        ok = value >= limit if larger_is_better else value <= limit
        shown = f"{value:,.0f}x (>= {limit:,.0f}x)" if larger_is_better else f"{value:.2f} (<= {limit:.2f})"
        rows.append([what, shown, "PASS" if ok else "FAIL", products_shown])

    add("conv fwd+bwd, CS231n shape, float64: naive/fast", find("conv", small, "float64"), "naive", "fast",
        TARGET_SPEEDUP_NAIVE, larger_is_better=True)
    for dtype in ("float64", "float32"):
        add(f"conv fwd+bwd, CIFAR layer, {dtype}: fast/torch", find("conv", big, dtype), "fast", "torch",
            TARGET_TORCH_RATIO[dtype])
    for dtype in ("float64", "float32"):
        add(f"max pool fwd+bwd, {dtype}: fast/torch", find("pool", pool, dtype), "fast", "torch",
            TARGET_POOL_TORCH_RATIO)
    return rows


def run_benchmark(layers: dict[str, Layers], quick: bool = False, repeat: int | None = None,
                  emit: Callable[[str], None] = print) -> str:
    """The full comparison; ``layers`` holds "naive" and "fast" (torch is added).

    Emits each section as it is measured and returns the whole report. ``quick`` uses
    tiny shapes (a smoke test: its numbers and targets mean nothing).
    """
    import torch

    shapes = QUICK if quick else FULL
    repeat = repeat or (1 if quick else 5)
    sections: list[str] = []

    def say(text: str = "") -> None:
        sections.append(text)
        emit(text)

    info = blas_info()
    numpy_threads = info["numpy BLAS threads"]
    if isinstance(numpy_threads, int) and numpy_threads != torch.get_num_threads():
        torch.set_num_threads(numpy_threads)  # same thread count for both libraries
        info["torch threads"] = f"{torch.get_num_threads()} (set to numpy's)"
    say("== machine ==")
    say(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} logical CPUs")
    for key, value in info.items():
        say(f"{key}: {value}")
    if _NUMPY_PRELOADED_WITHOUT_TIMEOUT:
        say("WARNING: numpy was imported before OPENBLAS_THREAD_TIMEOUT was set: OpenBLAS threads may spin "
            "and slow torch down; run `python -m cs231n_utils.benchmark` or set it in the environment")
    if quick:
        say("QUICK MODE: tiny shapes, one repetition; the numbers are a smoke test, not a measurement")
    peak = {name: matmul_gflops(getattr(np, name), n=shapes.matmul_n, repeat=repeat) for name in ("float32", "float64")}
    say(f"numpy matmul ({shapes.matmul_n}x{shapes.matmul_n}): "
        + ", ".join(f"{name} {gf:.1f} GFLOP/s" for name, gf in peak.items()))
    say(f"timings: median of {repeat} interleaved runs, each right after an untimed run of the same function; milliseconds")

    torch_impl = torch_layers()
    everything = {**layers, "torch": torch_impl}
    without_naive = {k: v for k, v in everything.items() if k != "naive"}
    names = list(everything)
    measurements: list[Measurement] = []

    x_shape, w_shape, stride, pad = shapes.small_conv
    say("\n== convolution, CS231n's shape: naive, fast, torch ==")
    small = _measure_conv(everything, x_shape, w_shape, stride, pad, np.float64, max(1, min(repeat, 3)))
    small += _measure_conv(without_naive, x_shape, w_shape, stride, pad, np.float32, repeat)
    say(_measurement_table(small, names, peak))
    measurements += small

    x_shape, w_shape, stride, pad = shapes.big_conv
    say("\n== convolution, a CIFAR-style layer: fast, torch (naive would take minutes) ==")
    say(f"({PRODUCTS}: the three matrix products of an im2col layer alone, on ready operands)")
    big = []
    for dtype in (np.float64, np.float32):
        with_products = {**without_naive, PRODUCTS: im2col_products(x_shape, w_shape, stride, pad, dtype)}
        big += _measure_conv(with_products, x_shape, w_shape, stride, pad, dtype, repeat)
    say(_measurement_table(big, [*names, PRODUCTS], peak))
    measurements += big

    x_shape, pool = shapes.pool
    say("\n== max pooling: fast, torch ==")
    pools = []
    for dtype in (np.float64, np.float32):
        pools += _measure_pool(without_naive, x_shape, pool, dtype, repeat)
    say(_measurement_table(pools, names))
    measurements += pools

    say("\n== targets for the reference fast layers" + (" (quick mode: not meaningful)" if quick else "") + " ==")
    say(_format_table(["target", "measured", "result", f"{PRODUCTS}/torch"], _target_rows(measurements, shapes)))
    return "\n".join(sections)


# --- command line ------------------------------------------------------------------------

def _load_layers(folder: Path, naive: bool = True) -> tuple[dict[str, Layers], list[str]]:
    """The naive and fast layers of the notebooks in ``folder``, and notes on what is
    missing (the naive layers are optional: without them the naive rows are left out)."""
    from cs231n_utils.notebook_import import NotebookImportError, load_functions

    layers: dict[str, Layers] = {}
    notes = []
    kinds = (("naive", "03_convolution.ipynb", "naive"),) if naive else ()
    for kind, notebook, prefix in (*kinds, ("fast", "04_fast_layers.ipynb", "fast")):
        names = [f"{op}_{prefix}" for op in ("conv_forward", "conv_backward", "max_pool_forward", "max_pool_backward")]
        try:
            layers[kind] = load_functions(folder / notebook, *names)
        except NotebookImportError as exc:
            if kind == "fast":
                raise
            notes.append(f"naive layers left out: {exc}")
    return layers, notes


def _reexec_without_blas_overrides(argv: list[str]) -> None:
    """Run this command again in a fresh interpreter without OPENBLAS_CORETYPE and
    OPENBLAS_L2_SIZE (OpenBLAS reads them once, when numpy loads it)."""
    env = {k: v for k, v in os.environ.items() if k not in BLAS_OVERRIDES}
    args = [a for a in argv if a != "--fast-blas"]
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-m", "cs231n_utils.benchmark", *args], env)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m cs231n_utils.benchmark", description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", type=Path, default=Path("solutions/layers"),
                        help="folder holding 03_convolution.ipynb and 04_fast_layers.ipynb (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="tiny shapes, one run: a smoke test")
    parser.add_argument("--repeat", type=int, default=None, help="runs per timing (default 5, quick 1)")
    parser.add_argument("--against", type=Path, default=None, metavar="FOLDER",
                        help="also time the fast layers of FOLDER's 04_fast_layers.ipynb, side by side in the same "
                             "rounds (e.g. your code against solutions/layers, or a change against the last version)")
    parser.add_argument("--fast-blas", action="store_true",
                        help=f"re-run without {' and '.join(BLAS_OVERRIDES)} (this command only)")
    args = parser.parse_args(argv)
    if args.fast_blas and any(k in os.environ for k in BLAS_OVERRIDES):
        _reexec_without_blas_overrides(argv)
    elif args.fast_blas:
        print(f"--fast-blas: {' and '.join(BLAS_OVERRIDES)} are not set; nothing to unset")
    layers, notes = _load_layers(args.notebooks)
    if args.against is not None:
        layers[AGAINST] = _load_layers(args.against, naive=False)[0]["fast"]
    for note in notes:
        print(note)
    run_benchmark(layers, quick=args.quick, repeat=args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
