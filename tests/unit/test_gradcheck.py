"""cs231n_utils.gradcheck against functions whose gradients are known in closed form."""

import numpy as np
import pytest

from cs231n_utils.gradcheck import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    grad_check_sparse,
    rel_error,
)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_rel_error_is_zero_for_equal_arrays_and_large_for_opposite_ones():
    x = np.array([1.0, -2.0, 0.0])
    assert rel_error(x, x.copy()) == 0.0
    assert rel_error(x, -x) == pytest.approx(1.0)


def test_rel_error_takes_the_worst_entry():
    assert rel_error([1.0, 100.0], [1.0, 101.0]) == pytest.approx(1 / 201)


def test_rel_error_rejects_different_shapes():
    with pytest.raises(ValueError, match=r"\(2,\) vs \(3,\)"):
        rel_error(np.zeros(2), np.zeros(3))


def test_scalar_gradient_of_a_quadratic_form(rng):
    a = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    numeric = eval_numerical_gradient(lambda v: v @ a @ v, x)
    assert rel_error(numeric, (a + a.T) @ x) < 1e-8


def test_scalar_gradient_of_a_nonlinear_function_on_a_matrix(rng):
    x = rng.standard_normal((3, 5))
    numeric = eval_numerical_gradient(lambda v: np.sum(np.sin(v) * v), x)
    assert rel_error(numeric, np.cos(x) * x + np.sin(x)) < 1e-8


def test_array_gradient_applies_the_upstream_gradient(rng):
    w = rng.standard_normal((5, 3))
    x = rng.standard_normal((2, 5))
    dout = rng.standard_normal((2, 3))
    numeric = eval_numerical_gradient_array(lambda v: np.tanh(v @ w), x, dout)
    analytic = (dout * (1 - np.tanh(x @ w) ** 2)) @ w.T
    assert rel_error(numeric, analytic) < 1e-8


def test_array_gradient_survives_a_function_that_returns_a_view_of_its_input(rng):
    x = rng.standard_normal((3, 4))
    dout = rng.standard_normal((3, 4))
    numeric = eval_numerical_gradient_array(lambda v: v, x, dout)  # identity: grad = dout
    assert rel_error(numeric, dout) < 1e-8


def test_input_is_restored_after_the_check_even_when_f_raises(rng):
    x = rng.standard_normal(6)
    before = x.copy()
    eval_numerical_gradient(lambda v: float(np.sum(v**3)), x)
    assert np.array_equal(x, before)

    def explode(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        eval_numerical_gradient(explode, x)
    assert np.array_equal(x, before)


def test_sparse_check_accepts_the_right_gradient_and_flags_a_wrong_one(rng):
    x = rng.standard_normal((20, 30))
    f = lambda v: float(np.sum(v**2))  # noqa: E731
    assert grad_check_sparse(f, x, 2 * x, num_checks=15) < 1e-8
    assert grad_check_sparse(f, x, 3 * x, num_checks=15) > 0.1


def test_sparse_check_is_seeded(rng):
    x = rng.standard_normal((10, 10))
    wrong = 2 * x
    wrong[0, 0] += 1.0  # only one wrong entry: whether it is sampled depends on the seed
    f = lambda v: float(np.sum(v**2))  # noqa: E731
    first = grad_check_sparse(f, x, wrong, num_checks=5, seed=3)
    assert grad_check_sparse(f, x, wrong, num_checks=5, seed=3) == first


@pytest.mark.parametrize(
    "check",
    [
        lambda x: eval_numerical_gradient(lambda v: float(np.sum(v)), x),
        lambda x: eval_numerical_gradient_array(lambda v: v, x, np.ones_like(x)),
        lambda x: grad_check_sparse(lambda v: float(np.sum(v)), x, np.ones_like(x)),
    ],
    ids=["scalar", "array", "sparse"],
)
def test_float32_input_is_refused_with_an_explanation(check):
    with pytest.raises(TypeError, match="float64"):
        check(np.ones(3, dtype=np.float32))


def test_scalar_check_refuses_an_array_valued_function():
    with pytest.raises(ValueError, match="eval_numerical_gradient_array"):
        eval_numerical_gradient(lambda v: v * 2, np.ones(3))


def test_array_check_refuses_a_mismatched_upstream_gradient():
    with pytest.raises(ValueError, match="df has shape"):
        eval_numerical_gradient_array(lambda v: v * 2, np.ones(3), np.ones(4))
