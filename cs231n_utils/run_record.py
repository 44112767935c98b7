"""One JSON file per training run: what was trained, how well, how fast, and on what.

The numpy training script and the PyTorch trainer both write ``<run_dir>/record.json``
with :func:`write_run_record` (and ``curves.png`` with :func:`save_curves`), so runs of
either kind can be read back and compared with :func:`read_run_record`. A record is a
dict holding at least :data:`REQUIRED_FIELDS`; :func:`machine_info` fills in the
machine's part::

    record = {"framework": "numpy", "model": "ThreeLayerConvNet", "dataset": "CIFAR-10",
              "test_accuracy": 0.61, "epochs": 5, "wall_seconds": 812.0,
              "images_per_second": 301.5, "history": solver.history, **machine_info()}
    write_run_record("runs/convnet", record)
    save_curves("runs/convnet", record)

Any other field is kept (hyper-parameters, the schedule, ...). Numbers that are not
finite (a diverged loss) are written as ``null``, since JSON has no NaN.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import math
import numbers
import os
import platform
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from cs231n_utils.files import atomic_write

__all__ = ["REQUIRED_FIELDS", "RECORD_NAME", "CURVES_NAME", "machine_info", "git_commit",
           "write_run_record", "read_run_record", "save_curves"]

REQUIRED_FIELDS = (
    "framework", "model", "dataset", "test_accuracy", "epochs", "wall_seconds",
    "images_per_second", "device", "numpy_version", "blas", "git_commit", "history",
)
RECORD_NAME = "record.json"
CURVES_NAME = "curves.png"

_TEXT_FIELDS = ("framework", "model", "dataset", "device", "numpy_version", "blas", "git_commit")


# --- the machine ----------------------------------------------------------------------------

def _cpu_description() -> str:
    name = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    name = name or platform.processor() or platform.machine() or "unknown processor"
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may use
    except (AttributeError, OSError):
        cores = os.cpu_count() or 0
    return f"CPU: {name}, {cores} logical cores"


def _blas_summary() -> str:
    """e.g. "scipy-openblas 0.3.30 SkylakeX, 2 threads", from benchmark.blas_info()."""
    from cs231n_utils.benchmark import blas_info

    # blas_info also reports torch's threads, importing torch to do so; a numpy run need
    # not pay seconds and hundreds of MB for that, so hide torch unless already loaded.
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # makes `import torch` raise ImportError
    try:
        info = blas_info()
    finally:
        if hide:
            del sys.modules["torch"]
    text = str(info.get("numpy BLAS", "unknown BLAS"))
    kernel = info.get("numpy BLAS kernel")
    if kernel and kernel != "unknown":
        text += f" {kernel}"
    threads = info.get("numpy BLAS threads")
    if isinstance(threads, int):
        text += f", {threads} thread" + ("" if threads == 1 else "s")
    return text


def _torch_version() -> str | None:
    """torch's version without importing it (None when it is not installed)."""
    if "torch" in sys.modules and getattr(sys.modules["torch"], "__version__", None):
        return str(sys.modules["torch"].__version__)
    if importlib.util.find_spec("torch") is None:
        return None
    try:
        return importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return None


def git_commit(path: str | os.PathLike | None = None) -> str:
    """``git rev-parse HEAD`` of the repository holding ``path`` (default: this package),
    with ``-dirty`` appended when tracked files have uncommitted changes; "unknown"
    outside a git work tree or without git."""
    folder = Path(path) if path is not None else Path(__file__).resolve().parent

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                                  timeout=20, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return "unknown"
    # Untracked files (run outputs, caches) do not change what the code was.
    changes = git("status", "--porcelain", "--untracked-files=no")
    return commit + ("-dirty" if changes else "")


def machine_info() -> dict[str, str]:
    """The machine's part of a run record: device, numpy_version, blas, python_version,
    platform, git_commit, and torch_version when torch is installed."""
    info = {
        "device": _cpu_description(),
        "numpy_version": np.__version__,
        "blas": _blas_summary(),
        "python_version": platform.python_version(),
        "platform": platform.platform(),
    }
    torch_version = _torch_version()
    if torch_version is not None:
        info["torch_version"] = torch_version
    info["git_commit"] = git_commit()
    return info


# --- validation and JSON ----------------------------------------------------------------------

def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _problems(record) -> list[str]:
    """What is wrong with a record, one phrase per problem (empty when it is valid)."""
    if not isinstance(record, Mapping):
        return [f"a run record must be a dict, got {type(record).__name__}"]
    missing = [f for f in REQUIRED_FIELDS if f not in record]
    problems = [f"missing fields: {', '.join(missing)}"] if missing else []
    for field in _TEXT_FIELDS:
        if field in record and not isinstance(record[field], str):
            problems.append(f"{field} must be a string, got {record[field]!r}")
    if "test_accuracy" in record:
        acc = record["test_accuracy"]
        if not _is_number(acc) or not 0 <= acc <= 1:
            problems.append(f"test_accuracy must be a fraction in [0, 1], got {acc!r}")
    for field in ("wall_seconds", "images_per_second"):
        if field in record:
            value = record[field]
            if not _is_number(value) or not math.isfinite(value) or value < 0:
                problems.append(f"{field} must be a number >= 0, got {value!r}")
    if "epochs" in record:
        epochs = record["epochs"]
        if not isinstance(epochs, numbers.Integral) or isinstance(epochs, (bool, np.bool_)) or epochs < 0:
            problems.append(f"epochs must be an integer >= 0, got {epochs!r}")
    if "history" in record:
        history = record["history"]
        if not isinstance(history, list):
            problems.append(f"history must be a list of per-epoch dicts, got {type(history).__name__}")
        else:
            bad = [i for i, e in enumerate(history) if not isinstance(e, Mapping) or "epoch" not in e]
            if bad:
                problems.append(f"history entries {bad[:5]} are not dicts with an 'epoch'")
    return problems


def _jsonable(value, where: str):
    """``value`` as JSON types: numpy scalars and arrays to Python, tuples to lists,
    non-finite floats to None."""
    if isinstance(value, (np.generic, np.ndarray)):
        value = value.tolist()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise TypeError(f"run record field {where} holds a {type(value).__name__}, which JSON cannot store: "
                    "convert it to a number, string, list or dict")


def _ordered(record: Mapping) -> dict:
    """Required fields first (in their order), the others alphabetically, history last."""
    keys = [f for f in REQUIRED_FIELDS if f != "history"]
    keys += sorted(k for k in record if k not in REQUIRED_FIELDS)
    return {k: record[k] for k in [*keys, "history"]}


def write_run_record(run_dir, record: Mapping) -> Path:
    """Check ``record`` and write it to ``run_dir/record.json`` (indent 2; written to a
    temporary file and renamed, so a reader never sees half a record). Returns the path.

    Raises ValueError naming every missing field or wrong type.
    """
    problems = _problems(record)
    if problems:
        raise ValueError("invalid run record: " + "; ".join(problems))
    data = {k: _jsonable(v, k) for k, v in _ordered(record).items()}
    text = json.dumps(data, indent=2, allow_nan=False) + "\n"
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / RECORD_NAME
    return atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))


def read_run_record(path) -> dict:
    """The record at ``path`` (a record.json, or the run folder holding one), checked.

    Raises FileNotFoundError naming the path when there is none, ValueError naming the
    file and what is wrong when it is not a valid record.
    """
    path = Path(path)
    if path.is_dir():
        path = path / RECORD_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"no run record at {path}") from None
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from exc
    problems = _problems(record)
    if problems:
        raise ValueError(f"{path} is not a valid run record: " + "; ".join(problems))
    return record


def save_curves(run_dir, record: Mapping) -> Path:
    """Draw the record's history with :func:`cs231n_utils.plots.plot_history` into
    ``run_dir/curves.png``; returns the path."""
    from cs231n_utils.plots import plot_history

    parts = [str(record.get(k)) for k in ("model", "dataset") if record.get(k)]
    title = " on ".join(parts)
    if record.get("framework"):
        title += f" ({record['framework']})"
    if _is_number(record.get("test_accuracy")):
        title += f", test accuracy {record['test_accuracy']:.1%}"
    fig = plot_history(record, title=title or None)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / CURVES_NAME
    fig.savefig(path, dpi=110)
    return path
