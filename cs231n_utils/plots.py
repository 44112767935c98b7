"""Figures of training runs and of what a ConvNet learned.

Every function returns a matplotlib ``Figure`` and shows nothing: leave it as a cell's
last value in a notebook, or ``fig.savefig(path)`` in a script. The figures are made
without ``pyplot``, so none is registered globally: nothing to close, no figure shown
twice in Jupyter, and they draw with the Agg renderer on a machine without a display.

A *history* is any of: a :class:`cs231n_utils.solver.Solver`; a dict with the solver's
attributes (``loss_history``, ``train_acc_history``, ``val_acc_history``, optionally
``history``); or a run record (:mod:`cs231n_utils.run_record`), whose ``history`` is a
list of per-epoch dicts (``epoch``, ``train_loss``, ``train_acc``, ``val_acc``).
"""

from __future__ import annotations

import io
import math
import numbers
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

__all__ = ["NotebookFigure", "plot_history", "compare_histories", "plot_filters", "plot_feature_maps"]


class NotebookFigure(Figure):
    """A Figure that Jupyter shows as a PNG even when pyplot (and with it the inline
    backend, which registers matplotlib's own display hook) was never imported."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()


# --- histories -----------------------------------------------------------------------------

@dataclass
class _Curves:
    """One run's curves, whatever form it came in."""

    loss: np.ndarray  # per iteration; may be empty
    epochs: np.ndarray  # epoch numbers of the per-epoch values
    epoch_loss: np.ndarray  # mean training loss per epoch (NaN where unknown)
    train_acc: np.ndarray
    val_acc: np.ndarray  # accuracy on the held-out set named by held_out
    held_out: str = "validation"


def _floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _curves(source) -> _Curves:
    if isinstance(source, Mapping):
        get = source.get
    elif hasattr(source, "loss_history"):
        get = lambda key, default=None: getattr(source, key, default)  # noqa: E731 (a Solver)
    else:
        raise TypeError(
            "expected a Solver, a dict with loss_history/train_acc_history/val_acc_history, "
            f"or a run record with a 'history' list; got {type(source).__name__}"
        )
    history = get("history")
    history = [] if history is None else history
    if not isinstance(history, list) or not all(isinstance(e, Mapping) for e in history):
        raise ValueError("'history' must be a list of per-epoch dicts")
    loss = get("loss_history")
    loss = _floats([] if loss is None else loss)
    train_acc = get("train_acc_history")
    val_acc = get("val_acc_history")
    if train_acc is None and val_acc is None and not history and not len(loss):
        raise ValueError("nothing to plot: no loss_history, accuracy histories or 'history' list")
    if train_acc is None:
        train_acc = [e.get("train_acc") for e in history]
    held_out = "validation"
    if val_acc is None:
        # The PyTorch trainer evaluates on the test set each epoch and says so.
        if history and all("val_acc" not in e and "test_acc" in e for e in history):
            val_acc, held_out = [e["test_acc"] for e in history], "test"
        else:
            val_acc = [e.get("val_acc") for e in history]
    n_epochs = max(len(train_acc), len(val_acc), len(history))
    if history and len(history) == n_epochs:
        epochs = [e.get("epoch", i + 1) for i, e in enumerate(history)]
        epoch_loss = [e.get("train_loss") for e in history]
    else:
        epochs, epoch_loss = range(1, n_epochs + 1), [None] * n_epochs
    return _Curves(loss, _floats(epochs), _floats(epoch_loss), _floats(train_acc), _floats(val_acc), held_out)


def _smooth(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Running mean over about 1/25 of the run, with x at each window's centre; None when
    the run is too short to need it."""
    window = min(len(values) // 25, 500)
    if window < 2:
        return None
    csum = np.cumsum(np.insert(values, 0, 0.0))
    mean = (csum[window:] - csum[:-window]) / window
    x = np.arange(window - 1, len(values)) - (window - 1) / 2
    return x, mean


def _draw_loss(ax, curves: _Curves, color=None, label=None, raw_alpha=0.3) -> None:
    if len(curves.loss):
        x = np.arange(len(curves.loss))
        smooth = _smooth(curves.loss)
        raw = ax.plot(x, curves.loss, color=color, alpha=raw_alpha if smooth else 1.0, lw=0.8,
                      label=None if smooth else label)[0]
        if smooth:
            ax.plot(*smooth, color=raw.get_color(), lw=1.8, label=label)
        ax.set_xlabel("iteration")
    else:
        ax.plot(curves.epochs, curves.epoch_loss, "o-", color=color, label=label)
        ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")


def _suptitle(fig: Figure, title: str) -> None:
    """The figure's title, wrapped to the figure's width (a run's title names its whole model)."""
    width_chars = max(20, int(fig.get_figwidth() * 11))
    fig.suptitle(textwrap.fill(title, width_chars))


def plot_history(history_or_solver, title: str | None = None) -> Figure:
    """Two panels: the training loss per iteration (raw, light, and a running mean) and
    the train and validation accuracy per epoch. A run record without per-iteration
    losses shows its mean loss per epoch instead."""
    curves = _curves(history_or_solver)
    fig = NotebookFigure(figsize=(11, 4), layout="constrained")
    loss_ax, acc_ax = fig.subplots(1, 2)
    _draw_loss(loss_ax, curves, color="C0", label="running mean")
    loss_ax.set_title("loss")
    acc_ax.plot(curves.epochs, curves.train_acc, "o-", label="train")
    acc_ax.plot(curves.epochs, curves.val_acc, "o-", label=curves.held_out)
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("accuracy")
    acc_ax.set_title("accuracy")
    acc_ax.legend()
    if title:
        _suptitle(fig, title)
    return fig


def compare_histories(runs: Mapping[str, object], title: str | None = None) -> Figure:
    """Several runs side by side (e.g. one per optimiser): their loss curves in one panel,
    their accuracy per epoch in the other (held-out set solid, train dashed).

    runs: {label: Solver or history}, in the order to draw them.
    """
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError("compare_histories needs a non-empty dict {label: solver or history}")
    fig = NotebookFigure(figsize=(11, 4), layout="constrained")
    loss_ax, acc_ax = fig.subplots(1, 2)
    held_out = set()
    for i, (label, run) in enumerate(runs.items()):
        curves = _curves(run)
        held_out.add(curves.held_out)
        color = f"C{i % 10}"
        _draw_loss(loss_ax, curves, color=color, label=str(label), raw_alpha=0.15)
        acc_ax.plot(curves.epochs, curves.val_acc, "o-", color=color, label=f"{label} ({curves.held_out})")
        acc_ax.plot(curves.epochs, curves.train_acc, "--", color=color, alpha=0.7, label=f"{label} (train)")
    loss_ax.set_title("loss")
    loss_ax.legend()
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("accuracy")
    acc_ax.set_title(f"accuracy: {' / '.join(sorted(held_out))} solid, train dashed")
    if title:
        _suptitle(fig, title)
    return fig


# --- images ---------------------------------------------------------------------------------

def _grid(count: int, cell: float, title: str | None) -> tuple[Figure, list]:
    """A figure with ``count`` image axes on a near-square grid (the unused cells removed)."""
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    fig = NotebookFigure(figsize=(cols * cell, rows * cell + (0.4 if title else 0)), layout="constrained")
    axes = list(fig.subplots(rows, cols, squeeze=False).ravel())
    for ax in axes[count:]:
        ax.remove()
    for ax in axes[:count]:
        ax.set_axis_off()
    if title:
        _suptitle(fig, title)
    return fig, axes[:count]


def _unit_range(a: np.ndarray) -> np.ndarray:
    """Min-max scale to [0, 1]; a constant array becomes 0.5."""
    low, high = float(a.min()), float(a.max())
    return np.full_like(a, 0.5) if high == low else (a - low) / (high - low)


def plot_filters(w, title: str | None = None) -> Figure:
    """The filters of a convolution layer, one small image each.

    w: (F, C, HH, WW) weights. Each filter is min-max scaled on its own. With C = 3 it is
    shown in colour (channels as RGB, as the first layer sees an image); otherwise
    channel 0 in grey.
    """
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 4 or w.shape[0] == 0:
        raise ValueError(f"plot_filters needs weights of shape (F, C, HH, WW), got {w.shape}")
    fig, axes = _grid(len(w), 0.9, title)
    for ax, f in zip(axes, w):
        if f.shape[0] == 3:
            ax.imshow(_unit_range(f).transpose(1, 2, 0), interpolation="nearest")
        else:
            ax.imshow(_unit_range(f[0]), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    return fig


def plot_feature_maps(maps, max_maps: int = 32, title: str | None = None) -> Figure:
    """The activation maps of one image, one panel per channel (each with its own colour
    scale), the first ``max_maps`` of them.

    maps: (C, H, W), e.g. ``conv_out[0]`` for the first image of a batch.
    """
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 3 or maps.shape[0] == 0:
        hint = " (for one image of a batch pass maps[0])" if maps.ndim == 4 else ""
        raise ValueError(f"plot_feature_maps needs maps of shape (C, H, W), got {maps.shape}{hint}")
    if isinstance(max_maps, bool) or not isinstance(max_maps, numbers.Integral) or max_maps <= 0:
        raise ValueError(f"max_maps must be a positive integer, got {max_maps!r}")
    shown = maps[:max_maps]
    fig, axes = _grid(len(shown), 1.2, title)
    for i, (ax, m) in enumerate(zip(axes, shown)):
        ax.imshow(m, cmap="viridis", interpolation="nearest")
        ax.set_title(str(i), fontsize=7)
    return fig
