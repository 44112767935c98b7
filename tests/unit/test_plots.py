"""cs231n_utils.plots: figures are built headless, hold the right panels and curves, and
leave no figure registered with pyplot."""

import matplotlib.pyplot as plt  # only to check that no figure is registered with it
import numpy as np
import pytest
from matplotlib.figure import Figure

from cs231n_utils import plots
from cs231n_utils.solver import Solver


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    """Every test checks it left pyplot's registry as it found it."""
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "a plot function registered a pyplot figure"
    plt.close("all")


def solver_history(epochs=4, per_epoch=50, seed=0):
    rng = np.random.default_rng(seed)
    loss = list(2.3 * np.exp(-np.arange(epochs * per_epoch) / 80) + 0.1 * rng.random(epochs * per_epoch))
    train = list(np.linspace(0.3, 0.8, epochs))
    val = list(np.linspace(0.25, 0.6, epochs))
    history = [{"epoch": e + 1, "train_loss": float(np.mean(loss[e * per_epoch:(e + 1) * per_epoch])),
                "train_acc": train[e], "val_acc": val[e]} for e in range(epochs)]
    return {"loss_history": loss, "train_acc_history": train, "val_acc_history": val, "history": history}


def drawn(ax):
    """The (x, y) data of each line of an axes."""
    return [(line.get_xdata(), line.get_ydata()) for line in ax.get_lines()]


def png_bytes(fig):
    return fig._repr_png_()


def test_plot_history_of_a_dict():
    h = solver_history()
    fig = plots.plot_history(h, title="run 1")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    (raw_x, raw_y), (smooth_x, smooth_y) = drawn(loss_ax)
    np.testing.assert_array_equal(raw_y, h["loss_history"])
    assert len(smooth_y) < len(raw_y) and np.ptp(np.diff(smooth_y[:50])) < np.ptp(np.diff(raw_y[:50]))
    (ex, train), (_, val) = drawn(acc_ax)
    np.testing.assert_array_equal(ex, [1, 2, 3, 4])
    np.testing.assert_array_equal(train, h["train_acc_history"])
    np.testing.assert_array_equal(val, h["val_acc_history"])
    assert fig.get_suptitle() == "run 1"
    assert png_bytes(fig).startswith(b"\x89PNG")


def test_plot_history_of_a_solver():
    rng = np.random.default_rng(0)

    class Linear:
        def __init__(self):
            self.params = {"W": 0.01 * rng.standard_normal((4, 2))}

        def loss(self, X, y=None):
            scores = X @ self.params["W"]
            if y is None:
                return scores
            grad = np.zeros_like(scores)
            grad[np.arange(len(y)), y] = -1.0 / len(y)
            return float(-scores[np.arange(len(y)), y].mean()), {"W": X.T @ grad}

    data = {"X_train": rng.standard_normal((40, 4)), "y_train": rng.integers(0, 2, 40),
            "X_val": rng.standard_normal((10, 4)), "y_val": rng.integers(0, 2, 10)}
    solver = Solver(Linear(), data, update_rule=lambda w, dw, c: (w - c["learning_rate"] * dw, c),
                    optim_config={"learning_rate": 0.01}, batch_size=10, num_epochs=3, verbose=False).train()
    fig = plots.plot_history(solver)
    assert len(fig.axes) == 2
    np.testing.assert_array_equal(drawn(fig.axes[0])[0][1], solver.loss_history)
    np.testing.assert_array_equal(drawn(fig.axes[1])[1][1], solver.val_acc_history)


def test_plot_history_of_a_run_record_uses_the_epoch_losses():
    h = solver_history()
    record = {"framework": "numpy", "history": h["history"]}
    fig = plots.plot_history(record)
    loss_ax, acc_ax = fig.axes
    [(x, y)] = drawn(loss_ax)
    np.testing.assert_array_equal(x, [1, 2, 3, 4])
    np.testing.assert_allclose(y, [e["train_loss"] for e in h["history"]])
    assert loss_ax.get_xlabel() == "epoch"
    np.testing.assert_array_equal(drawn(acc_ax)[1][1], h["val_acc_history"])


def test_a_short_run_is_drawn_without_smoothing():
    fig = plots.plot_history({"loss_history": [2.0, 1.5, 1.2], "train_acc_history": [0.5],
                              "val_acc_history": [0.4]})
    assert len(drawn(fig.axes[0])) == 1


def test_numpy_arrays_are_accepted_as_histories():
    h = {k: np.asarray(v) for k, v in solver_history().items() if k != "history"}
    assert len(plots.plot_history(h).axes) == 2


@pytest.mark.parametrize("bad, error", [(42, TypeError), ({}, ValueError), ({"history": "epoch 1"}, ValueError)])
def test_plot_history_refuses_what_is_no_history(bad, error):
    with pytest.raises(error):
        plots.plot_history(bad)


def test_compare_histories_draws_every_run():
    runs = {"sgd": solver_history(seed=1), "adam": solver_history(seed=2), "rmsprop": solver_history(seed=3)}
    fig = plots.compare_histories(runs, title="optimisers")
    assert len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["sgd", "adam", "rmsprop"]
    assert len(acc_ax.get_lines()) == 6  # validation and train per run
    np.testing.assert_array_equal(acc_ax.get_lines()[2].get_ydata(), runs["adam"]["val_acc_history"])
    assert fig.get_suptitle() == "optimisers"
    assert png_bytes(fig).startswith(b"\x89PNG")


def test_compare_histories_needs_runs():
    with pytest.raises(ValueError, match="non-empty"):
        plots.compare_histories({})


@pytest.mark.parametrize("shape, axes", [((8, 3, 5, 5), 8), ((10, 1, 3, 3), 10), ((1, 16, 7, 7), 1),
                                         ((64, 3, 3, 3), 64)])
def test_plot_filters_has_one_panel_per_filter(shape, axes):
    w = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    fig = plots.plot_filters(w)
    assert len(fig.axes) == axes
    image = fig.axes[0].get_images()[0].get_array()
    if shape[1] == 3:  # colour, channels last, scaled to [0, 1] over the whole filter
        assert image.shape == (shape[2], shape[3], 3)
        assert image.min() == 0.0 and image.max() == 1.0
    else:  # grey of channel 0
        assert image.shape == shape[2:]
        np.testing.assert_allclose(image, (w[0, 0] - w[0, 0].min()) / np.ptp(w[0, 0]), rtol=1e-6)


def test_plot_filters_copes_with_a_constant_filter():
    fig = plots.plot_filters(np.zeros((2, 3, 3, 3)))
    assert np.all(fig.axes[0].get_images()[0].get_array() == 0.5)
    png_bytes(fig)


def test_plot_feature_maps_shows_at_most_max_maps():
    maps = np.random.default_rng(0).random((40, 8, 8))
    assert len(plots.plot_feature_maps(maps).axes) == 32
    assert len(plots.plot_feature_maps(maps, max_maps=5).axes) == 5
    assert len(plots.plot_feature_maps(maps[:3]).axes) == 3


@pytest.mark.parametrize("call, message", [
    (lambda: plots.plot_filters(np.zeros((3, 5, 5))), r"\(F, C, HH, WW\)"),
    (lambda: plots.plot_feature_maps(np.zeros((2, 3, 5, 5))), r"maps\[0\]"),
    (lambda: plots.plot_feature_maps(np.zeros((3, 5, 5)), max_maps=0), "max_maps"),
])
def test_bad_image_inputs_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
