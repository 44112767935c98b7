"""Numerical gradients for checking hand-written backward passes.

All checks use centred differences, ``(f(x + h) - f(x - h)) / 2h``, whose error is
O(h^2) instead of the O(h) of a one-sided difference. They need float64: with float32
the rounding error of ``f`` (about 1e-7 relative) divided by ``2h`` swamps the result,
so a correct gradient would look wrong. The functions keep CS231n's names so that
existing course material runs unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "rel_error",
    "eval_numerical_gradient",
    "eval_numerical_gradient_array",
    "grad_check_sparse",
]


def rel_error(x, y, eps: float = 1e-8) -> float:
    """Largest elementwise relative error ``|x - y| / max(eps, |x| + |y|)``.

    x, y: arrays (or scalars) of the same shape. A correct float64 gradient usually
    gives below 1e-7; errors near 1 mean the two disagree completely. ``eps`` keeps
    entries where both are zero from dividing by zero.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error: shapes differ, {x.shape} vs {y.shape}")
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(eps, np.abs(x) + np.abs(y))))


def _require_float64(x: np.ndarray, name: str = "x") -> None:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(x).__name__}")
    if x.dtype != np.float64:
        raise TypeError(
            f"{name} has dtype {x.dtype}; numerical gradient checks need float64 "
            f"(use {name}.astype(np.float64)): in lower precision the rounding error "
            "hides real mistakes and flags correct code"
        )


def _centred_difference(f: Callable[[np.ndarray], object], x: np.ndarray, index, h: float):
    """(f(x + h e_i) - f(x - h e_i)) / 2h, restoring x[index] even if f raises."""
    old = x[index]
    try:
        x[index] = old + h
        plus = np.array(f(x), dtype=np.float64, copy=True)  # copy: f may return a view of x
        x[index] = old - h
        minus = np.array(f(x), dtype=np.float64, copy=True)
    finally:
        x[index] = old
    return (plus - minus) / (2 * h)


def eval_numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Numerical gradient of a scalar function at ``x``.

    f: maps an array shaped like x to a scalar (e.g. a loss).
    x: (any shape) float64 array; perturbed in place one entry at a time and restored.
    Returns grad: same shape as x, ``grad[i] ≈ ∂f/∂x[i]``.
    """
    _require_float64(x)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        slope = _centred_difference(f, x, index, h)
        if slope.shape != ():
            raise ValueError(
                f"eval_numerical_gradient needs f to return a scalar, got shape {slope.shape}; "
                "for array-valued f use eval_numerical_gradient_array(f, x, dout)"
            )
        grad[index] = slope
    return grad


def eval_numerical_gradient_array(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, df: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Numerical gradient of ``sum(f(x) * df)``: the chain rule with upstream gradient df.

    f: maps x to an array ``out`` (any shape), e.g. ``lambda x: layer_forward(x, w)[0]``.
    x: (any shape) float64 array; perturbed in place one entry at a time and restored.
    df: upstream gradient ∂L/∂out, same shape as f(x).
    Returns dx: same shape as x, what the layer's backward pass should return.
    """
    _require_float64(x)
    df = np.asarray(df, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        slope = _centred_difference(f, x, index, h)
        if slope.shape != df.shape:
            raise ValueError(f"f(x) has shape {slope.shape} but df has shape {df.shape}")
        grad[index] = np.sum(slope * df)
    return grad


def grad_check_sparse(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    analytic_grad: np.ndarray,
    num_checks: int = 10,
    h: float = 1e-5,
    seed: int | None = 0,
) -> float:
    """Compare ``analytic_grad`` with centred differences at random coordinates.

    For large inputs (a whole network's weights) checking every entry is too slow, so
    ``num_checks`` entries are drawn with ``seed``.
    f: maps x to a scalar; x: float64 array; analytic_grad: same shape as x.
    Returns the largest relative error over the sampled entries.
    """
    _require_float64(x)
    analytic_grad = np.asarray(analytic_grad)
    if analytic_grad.shape != x.shape:
        raise ValueError(f"analytic_grad has shape {analytic_grad.shape} but x has shape {x.shape}")
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(num_checks):
        index = tuple(int(rng.integers(n)) for n in x.shape)
        numeric = float(_centred_difference(f, x, index, h))
        worst = max(worst, rel_error(numeric, analytic_grad[index]))
    return worst
