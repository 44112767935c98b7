"""cs231n_utils.solver: the training loop, its checks, checkpoints and output.

The models and update rules here are tiny stand-ins written for these tests (a linear
softmax classifier, plain gradient steps); the course's own are the students' work.
"""

import pickle
import time

import numpy as np
import pytest

from cs231n_utils import schedules
from cs231n_utils.augment import random_flip_crop
from cs231n_utils.solver import Solver, TrainingDiverged

# --- stand-ins ------------------------------------------------------------------------------


class LinearSoftmax:
    """Scores ``(X - shift) @ W + b``: ``shift`` is a running mean of the training inputs
    kept in ``bn_params`` (plain data a checkpoint must carry, as batch norm's is), so
    a resumed run only repeats the original one if that state was restored."""

    def __init__(self, dim, classes, seed=0, dtype=np.float64):
        rng = np.random.default_rng(seed)
        self.params = {
            "W": (0.01 * rng.standard_normal((dim, classes))).astype(dtype),
            "b": np.zeros(classes, dtype=dtype),
        }
        self.bn_params = [{"mode": "train", "running_mean": np.zeros(dim, dtype=dtype), "momentum": 0.5}]
        self.activation = np.tanh  # a function: skipped by checkpoints
        self.unpicklable = lambda x: x  # would make pickling fail if it were saved
        self.seen_dtypes = set()

    def loss(self, X, y=None):
        X = X.reshape(len(X), -1)
        self.seen_dtypes.add(X.dtype)
        state = self.bn_params[0]
        shifted = X - state["running_mean"]
        scores = shifted @ self.params["W"] + self.params["b"]
        if y is None:
            return scores
        m = state["momentum"]
        state["running_mean"] = m * state["running_mean"] + (1 - m) * X.mean(axis=0)
        scores = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(probs[np.arange(len(y)), y]))
        dscores = probs
        dscores[np.arange(len(y)), y] -= 1
        dscores /= len(y)
        return loss, {"W": shifted.T @ dscores, "b": dscores.sum(axis=0)}


def plain_step(w, dw, config):
    """A gradient step that returns a new array."""
    return w - config["learning_rate"] * dw, config


def plain_step_in_place(w, dw, config):
    """The same step, written into w."""
    w -= config["learning_rate"] * dw
    return w, config


def heavy_ball(w, dw, config):
    """A gradient step with a velocity kept in config (state a checkpoint must carry)."""
    v = config.get("velocity", np.zeros_like(w))
    v = config.get("mu", 0.9) * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def blobs(n_train=60, n_val=30, dim=5, classes=3, seed=0, dtype=np.float64):
    """Gaussian clusters, one per class: a linear classifier separates them."""
    rng = np.random.default_rng(seed)
    centres = 3 * rng.standard_normal((classes, dim))

    def split(n):
        y = rng.integers(0, classes, n)
        return (centres[y] + rng.standard_normal((n, dim))).astype(dtype), y

    X_train, y_train = split(n_train)
    X_val, y_val = split(n_val)
    return {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val}


def make_solver(data=None, model=None, **kwargs):
    data = blobs() if data is None else data
    model = LinearSoftmax(data["X_train"].shape[1], 3) if model is None else model
    options = dict(update_rule=plain_step, optim_config={"learning_rate": 0.1}, batch_size=16,
                   num_epochs=3, verbose=False)
    options.update(kwargs)
    return Solver(model, data, **options)


def shift_by_one(X, rng):
    """An 'augmentation' that uses the solver's generator: adds noise."""
    return X + 0.01 * rng.standard_normal(X.shape).astype(X.dtype)


# --- training -------------------------------------------------------------------------------


def test_training_learns_and_records_every_history():
    solver = make_solver(num_epochs=5).train()
    assert solver.epoch == 5
    assert solver.iterations_per_epoch == 4  # 60 images, batches of 16: the last one has 12
    assert solver.iteration == 20 == len(solver.loss_history) == len(solver.lr_history)
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == len(solver.history) == 5
    assert np.mean(solver.loss_history[-4:]) < 0.5 * solver.loss_history[0]
    assert solver.val_acc_history[-1] > 0.9, solver.val_acc_history
    record = solver.history[-1]
    assert set(record) >= {"epoch", "train_loss", "train_acc", "val_acc", "learning_rate", "seconds"}
    assert record["epoch"] == 5 and record["seconds"] >= 0
    assert record["train_loss"] == pytest.approx(np.mean(solver.loss_history[16:20]))
    assert record["train_acc"] == solver.train_acc_history[-1]
    assert all(isinstance(v, float) for v in solver.loss_history)


def test_every_epoch_visits_every_training_image_once():
    data = blobs(n_train=50)
    seen = []

    def record(X, rng):
        seen.append(X.copy())
        return X

    solver = make_solver(data, augment=record, num_epochs=2, batch_size=16)
    solver.train()
    assert [len(b) for b in seen] == [16, 16, 16, 2] * 2  # the partial batch is kept
    for epoch in (seen[:4], seen[4:]):
        rows = np.concatenate(epoch)
        assert sorted(map(tuple, rows)) == sorted(map(tuple, data["X_train"]))
    assert not np.array_equal(np.concatenate(seen[:4]), np.concatenate(seen[4:])), "same order twice"


def test_same_seed_same_run_and_another_seed_another():
    runs = [make_solver(seed=s, augment=shift_by_one, num_train_samples=20).train() for s in (3, 3, 4)]
    assert runs[0].loss_history == runs[1].loss_history
    assert runs[0].train_acc_history == runs[1].train_acc_history
    assert runs[0].loss_history != runs[2].loss_history


def test_in_place_and_returning_update_rules_agree():
    a = make_solver(update_rule=plain_step).train()
    b = make_solver(update_rule=plain_step_in_place).train()
    assert a.loss_history == b.loss_history
    for name in a.model.params:
        np.testing.assert_array_equal(a.model.params[name], b.model.params[name])


def test_each_parameter_gets_its_own_copy_of_optim_config():
    config = {"learning_rate": 0.05, "mu": 0.8}
    solver = make_solver(update_rule=heavy_ball, optim_config=config, num_epochs=1).train()
    assert config == {"learning_rate": 0.05, "mu": 0.8}, "the caller's dict was changed"
    w_config, b_config = solver.optim_configs["W"], solver.optim_configs["b"]
    assert w_config is not b_config
    assert w_config["velocity"].shape == solver.model.params["W"].shape
    assert b_config["velocity"].shape == solver.model.params["b"].shape


def test_data_dtype_is_kept_and_data_untouched():
    data = blobs(dtype=np.float32)
    before = {k: v.copy() for k, v in data.items()}
    model = LinearSoftmax(5, 3, dtype=np.float32)
    make_solver(data, model, augment=shift_by_one, num_epochs=2).train()
    assert model.seen_dtypes == {np.dtype(np.float32)}
    for key, value in data.items():
        np.testing.assert_array_equal(value, before[key])
        assert value.dtype == before[key].dtype


def test_image_augmentation_in_training():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3, 6, 6))
    y = (X[:, 0].mean(axis=(1, 2)) > 0).astype(np.int64)  # flips and small shifts keep the label
    data = {"X_train": X[:30], "y_train": y[:30], "X_val": X[30:], "y_val": y[30:]}
    runs = [make_solver(data, LinearSoftmax(3 * 6 * 6, 2), augment=augment, num_epochs=2).train()
            for augment in (None, random_flip_crop(pad=1))]
    assert runs[0].loss_history != runs[1].loss_history


def test_augment_only_touches_training_batches():
    calls = []

    def augment(X, rng):
        assert isinstance(rng, np.random.Generator)
        calls.append(len(X))
        return X

    solver = make_solver(augment=augment, num_epochs=2).train()
    assert len(calls) == solver.iteration  # none from the accuracy checks


def test_final_params_are_kept_and_best_ones_restorable():
    solver = make_solver(num_epochs=4).train()
    best = solver.best_val_acc
    assert best == max(solver.val_acc_history)
    best_epoch = solver.val_acc_history.index(best)
    final = {k: v.copy() for k, v in solver.model.params.items()}
    for name in final:  # the best ones are copies, not the model's arrays
        assert solver.best_params[name] is not solver.model.params[name]
    solver.model.params["W"] += 1.0
    solver.model.params["W"] -= 1.0
    solver.restore_best()
    if best_epoch != 3:
        assert not np.array_equal(solver.model.params["W"], final["W"])
    np.testing.assert_array_equal(solver.model.params["W"], solver.best_params["W"])
    solver.model.params["W"][...] = 0  # restore_best gave a copy
    assert np.any(solver.best_params["W"] != 0)


def test_restore_best_before_training_says_so():
    with pytest.raises(RuntimeError, match="no best parameters"):
        make_solver().restore_best()


def test_train_continues_after_raising_num_epochs():
    solver = make_solver(num_epochs=2).train()
    assert solver.train() is solver and solver.epoch == 2  # nothing left to do
    solver.num_epochs = 3
    solver.train()
    assert solver.epoch == 3 and solver.iteration == 12


def test_step_returns_the_loss_and_advances():
    solver = make_solver()
    loss = solver.step()
    assert loss == solver.loss_history[-1] and solver.iteration == 1


# --- learning rate --------------------------------------------------------------------------


def test_lr_decay_multiplies_the_rate_after_each_epoch():
    solver = make_solver(lr_decay=0.5, num_epochs=3).train()
    expected = [0.1 * 0.5**e for e in range(3) for _ in range(4)]
    np.testing.assert_allclose(solver.lr_history, expected, rtol=1e-15)
    assert [h["learning_rate"] for h in solver.history] == pytest.approx([0.1, 0.05, 0.025])


def test_lr_schedule_sets_every_configs_rate_before_each_update():
    seen = []

    def schedule(iteration, total):
        seen.append((iteration, total))
        return 1.0 / (1 + iteration)

    def rule(w, dw, config):
        rates.append(config["learning_rate"])
        return plain_step(w, dw, config)

    rates = []
    solver = make_solver(lr_schedule=schedule, update_rule=rule, num_epochs=2).train()
    assert seen == [(i, 8) for i in range(8)]
    assert solver.lr_history == pytest.approx([0.1 / (1 + i) for i in range(8)], rel=1e-15)
    assert rates == [r for r in solver.lr_history for _ in range(2)]  # W and b alike


def test_a_schedule_from_the_schedules_module():
    solver = make_solver(lr_schedule=schedules.step_decay(drop=0.5, milestones=(0.5,)), num_epochs=2).train()
    assert solver.lr_history == [0.1] * 4 + [0.05] * 4


def test_lr_decay_and_schedule_together_are_refused():
    with pytest.raises(ValueError, match="lr_decay.*lr_schedule|either"):
        make_solver(lr_decay=0.9, lr_schedule=lambda i, t: 1.0)


# --- argument and data checks ---------------------------------------------------------------


@pytest.mark.parametrize("rule", ["adam", "sgd", None, 3])
def test_update_rule_must_be_a_function(rule):
    with pytest.raises(TypeError, match="05_optimization") as info:
        make_solver(update_rule=rule)
    assert "update_rule=adam" in str(info.value)


@pytest.mark.parametrize("config", [None, {}, {"lr": 0.1}, {"learning_rate": -1.0}, {"learning_rate": "0.1"}])
def test_optim_config_needs_a_learning_rate(config):
    with pytest.raises(ValueError, match="learning_rate"):
        make_solver(optim_config=config)


@pytest.mark.parametrize("name", ["batch_size", "num_epochs"])
@pytest.mark.parametrize("value", [0, -3, 2.5, True, "10"])
def test_batch_size_and_num_epochs_must_be_positive_integers(name, value):
    with pytest.raises(ValueError, match=name):
        make_solver(**{name: value})


def test_numpy_integers_are_accepted():
    solver = make_solver(batch_size=np.int64(16), num_epochs=np.int32(1))
    assert solver.batch_size == 16 and solver.num_epochs == 1


def test_missing_data_keys_are_named():
    data = blobs()
    del data["y_val"], data["X_val"]
    with pytest.raises(ValueError, match="X_val, y_val"):
        make_solver(data)


def test_lengths_must_match():
    data = blobs()
    data["y_train"] = data["y_train"][:-1]
    with pytest.raises(ValueError, match=r"X_train.shape = \(60, 5\).*y_train.shape = \(59,\)"):
        make_solver(data)


def test_labels_must_be_integers():
    data = blobs()
    data["y_val"] = data["y_val"].astype(np.float64)
    with pytest.raises(ValueError, match="y_val must hold integer class labels.*float64"):
        make_solver(data)


def test_labels_must_fit_the_number_of_scores():
    data = blobs()
    data["y_train"][0] = 7
    with pytest.raises(ValueError, match=r"y_train holds labels from 0 to 7.*\[0, 3\)"):
        make_solver(data)


def test_data_that_does_not_fit_the_model_is_reported_before_training():
    data = blobs(dim=5)
    model = LinearSoftmax(dim=6, classes=3)
    with pytest.raises(ValueError, match=r"did not fit the model.*X_train.shape = \(60, 5\)") as info:
        make_solver(data, model)
    assert isinstance(info.value.__cause__, ValueError)  # numpy's matmul error, chained


def test_a_model_returning_the_wrong_scores_shape_is_reported():
    class Flat(LinearSoftmax):
        def loss(self, X, y=None):
            out = super().loss(X, y)
            return out.ravel() if y is None else out

    with pytest.raises(ValueError, match=r"scores of shape \(6,\).*\(2, K\)"):
        make_solver(model=Flat(5, 3))


def test_an_unfinished_layer_keeps_its_own_error():
    class Unfinished(LinearSoftmax):
        def loss(self, X, y=None):
            raise NotImplementedError("affine_forward from 01_fully_connected.ipynb is not implemented yet")

    with pytest.raises(NotImplementedError, match="01_fully_connected"):
        make_solver(model=Unfinished(5, 3))


def test_missing_gradients_are_named():
    class NoBias(LinearSoftmax):
        def loss(self, X, y=None):
            out = super().loss(X, y)
            if y is None:
                return out
            return out[0], {"W": out[1]["W"]}

    solver = make_solver(model=NoBias(5, 3))
    with pytest.raises(ValueError, match=r"gradients for \['W'\] but the parameters are \['W', 'b'\]"):
        solver.step()


def test_an_update_rule_returning_the_wrong_thing_is_reported():
    solver = make_solver(update_rule=lambda w, dw, config: w - dw)
    with pytest.raises(TypeError, match=r"must return \(next_w, config\)"):
        solver.step()


# --- divergence -----------------------------------------------------------------------------


def test_a_nan_loss_stops_training_before_the_update():
    class Exploding(LinearSoftmax):
        def loss(self, X, y=None):
            out = super().loss(X, y)
            if y is not None and self.calls == 2:
                return float("nan"), out[1]
            self.calls += y is not None
            return out

    model = Exploding(5, 3)
    model.calls = 0
    solver = make_solver(model=model, lr_decay=0.5)
    solver.step(), solver.step()
    before = {k: v.copy() for k, v in model.params.items()}
    with pytest.raises(TrainingDiverged, match=r"iteration 3 \(epoch 1, learning rate 0.1\).*loss is nan") as info:
        solver.step()
    message = str(info.value)
    assert "learning_rate" in message and "weight_scale" in message
    assert (info.value.iteration, info.value.epoch, info.value.learning_rate) == (2, 0, 0.1)
    assert isinstance(info.value, FloatingPointError)
    assert len(solver.loss_history) == solver.iteration == 2
    for name in before:
        np.testing.assert_array_equal(model.params[name], before[name])


def test_a_non_finite_gradient_stops_training():
    class BadGradient(LinearSoftmax):
        def loss(self, X, y=None):
            out = super().loss(X, y)
            if y is None:
                return out
            out[1]["b"][1] = np.inf
            return out

    solver = make_solver(model=BadGradient(5, 3))
    with pytest.raises(TrainingDiverged, match=r"grads\['b'\] has 1 NaN or infinite"):
        solver.train()


def test_a_huge_learning_rate_diverges_with_a_clear_error():
    data = blobs()
    data["X_train"] = data["X_train"] * 1e3
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged, match="smaller learning_rate"):
        make_solver(data, optim_config={"learning_rate": 1e30}, num_epochs=5).train()


# --- accuracy -------------------------------------------------------------------------------


def test_check_accuracy_counts_correct_argmax():
    solver = make_solver()
    X = solver.X_val
    predictions = np.argmax(solver.model.loss(X), axis=1)
    y = predictions.copy()
    y[:10] = (y[:10] + 1) % 3
    assert solver.check_accuracy(X, y, batch_size=7) == pytest.approx(20 / 30)
    sub = solver.check_accuracy(X, y, num_samples=12)
    assert sub * 12 == pytest.approx(round(sub * 12))  # a fraction of the 12 drawn


def test_check_accuracy_rejects_mismatched_inputs():
    solver = make_solver()
    with pytest.raises(ValueError, match="as many labels as images"):
        solver.check_accuracy(solver.X_val, solver.y_val[:-1])


# --- checkpoints ----------------------------------------------------------------------------


def resumable_solver(tmp_path, **kwargs):
    options = dict(update_rule=heavy_ball, optim_config={"learning_rate": 0.05, "mu": 0.9}, num_epochs=2,
                   augment=shift_by_one, num_train_samples=25, num_val_samples=20, seed=11,
                   checkpoint_dir=tmp_path)
    options.update(kwargs)
    return make_solver(**options)


def assert_same_run(a, b):
    assert a.loss_history == b.loss_history
    assert a.lr_history == b.lr_history
    assert a.train_acc_history == b.train_acc_history and a.val_acc_history == b.val_acc_history
    assert (a.epoch, a.iteration, a.best_val_acc) == (b.epoch, b.iteration, b.best_val_acc)
    for name in a.model.params:
        np.testing.assert_array_equal(a.model.params[name], b.model.params[name])
        np.testing.assert_array_equal(a.best_params[name], b.best_params[name])
        np.testing.assert_array_equal(a.optim_configs[name]["velocity"], b.optim_configs[name]["velocity"])
    np.testing.assert_array_equal(a.model.bn_params[0]["running_mean"], b.model.bn_params[0]["running_mean"])
    strip = lambda h: [{k: v for k, v in e.items() if "seconds" not in k} for e in h]
    assert strip(a.history) == strip(b.history)


@pytest.mark.parametrize("schedule", [None, "cosine"])
def test_resuming_from_a_checkpoint_repeats_the_uninterrupted_run(tmp_path, schedule):
    extra = {} if schedule is None else {"lr_schedule": lambda i, t: 0.5 * (1 + np.cos(np.pi * i / t))}
    full = resumable_solver(tmp_path / "full", **extra).train()
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["epoch_001.pkl", "epoch_002.pkl", "latest.pkl"]

    resumed = resumable_solver(tmp_path / "resumed", **extra)  # a fresh model and solver
    resumed.load_checkpoint(tmp_path / "full" / "epoch_001.pkl")
    assert resumed.epoch == 1 and resumed.iteration == 4
    resumed.train()
    assert_same_run(full, resumed)


def test_resuming_mid_epoch_repeats_the_run(tmp_path):
    full = resumable_solver(None).train()
    part = resumable_solver(None)
    part.step(), part.step()  # half of the first epoch, by hand
    path = part.save_checkpoint(tmp_path / "mid" / "state.pkl")
    assert path == tmp_path / "mid" / "state.pkl" and path.is_file()
    part.train()  # train() finishes the epoch begun
    resumed = resumable_solver(None)
    resumed.load_checkpoint(path)
    resumed.train()
    assert_same_run(full, part)
    assert_same_run(full, resumed)


def test_a_checkpoint_is_a_pickle_without_the_models_functions(tmp_path):
    solver = resumable_solver(tmp_path, num_epochs=1).train()
    state = pickle.loads((tmp_path / "latest.pkl").read_bytes())
    attributes = state["model"]["attributes"]
    assert "bn_params" in attributes and "activation" not in attributes and "unpicklable" not in attributes
    assert "seen_dtypes" not in attributes  # a set: not plain data
    assert state["epoch"] == 1 and state["rng_state"] == solver._rng.bit_generator.state
    assert (tmp_path / "latest.pkl").read_bytes() == (tmp_path / "epoch_001.pkl").read_bytes()


def test_loading_restores_the_model_in_place_of_its_own_values(tmp_path):
    solver = resumable_solver(tmp_path, num_epochs=1).train()
    saved_W = solver.model.params["W"].copy()
    other = resumable_solver(None)
    params = other.model.params
    other.load_checkpoint(tmp_path / "latest.pkl")
    assert other.model.params is params  # the model's dict, updated
    np.testing.assert_array_equal(params["W"], saved_W)
    assert other.model.activation is np.tanh  # functions stay the new model's own


def test_a_missing_checkpoint_names_the_path(tmp_path):
    resumable_solver(tmp_path, num_epochs=1).train()
    with pytest.raises(FileNotFoundError, match=r"no checkpoint at .*epoch_009.pkl.*epoch_001.pkl, latest.pkl"):
        resumable_solver(None).load_checkpoint(tmp_path / "epoch_009.pkl")


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps([1, 2])])
def test_a_corrupt_checkpoint_names_the_path(tmp_path, content):
    path = tmp_path / "broken.pkl"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="broken.pkl"):
        resumable_solver(None).load_checkpoint(path)


def test_a_checkpoint_of_another_model_is_refused(tmp_path):
    resumable_solver(tmp_path, num_epochs=1).train()
    data = blobs(dim=4)
    solver = make_solver(data, LinearSoftmax(4, 3))
    with pytest.raises(ValueError, match=r"params\['W'\] has shape \(5, 3\) there but \(4, 3\)"):
        solver.load_checkpoint(tmp_path / "latest.pkl")


# --- output ---------------------------------------------------------------------------------


def test_quiet_solver_prints_nothing(capsys):
    make_solver(verbose=False, progress=False).train()
    assert capsys.readouterr() == ("", "")


def test_verbose_prints_epochs_and_losses_to_stdout_only(capsys):
    make_solver(verbose=True, progress=False, print_every=5, num_epochs=2).train()
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines if line.startswith("epoch")] == ["epoch 1/2", "epoch 2/2"]
    assert "train acc" in lines[-1] and "val acc" in lines[-1] and "lr 1.00e-01" in lines[-1]
    assert sum(line.startswith("(iteration 5 / 8) loss") for line in lines) == 1


def test_progress_bar_is_plain_text_on_stdout(capsys):
    make_solver(verbose=False, progress=True, num_epochs=2).train()
    out, err = capsys.readouterr()
    assert err == ""
    assert "epoch 1/2" in out and "epoch 2/2" in out and "4/4" in out and "loss" in out


def test_verbose_defaults_to_a_progress_bar(capsys):
    solver = make_solver(verbose=True, num_epochs=1)
    assert solver.progress
    solver.train()
    out, err = capsys.readouterr()
    assert err == "" and "batch" in out and "epoch 1/1: loss" in out


# --- cost -----------------------------------------------------------------------------------


def test_per_iteration_overhead_is_small():
    """With a model that costs nothing, 2,000 updates of 5 parameters take well under 1 s."""

    class Free:
        def __init__(self):
            self.params = {f"p{i}": np.zeros((64, 64)) for i in range(5)}
            self.grads = {k: np.ones_like(v) for k, v in self.params.items()}

        def loss(self, X, y=None):
            return np.zeros((len(X), 3)) if y is None else (1.0, self.grads)

    data = blobs(n_train=2000, n_val=10)
    solver = make_solver(data, Free(), update_rule=plain_step_in_place, batch_size=1, num_epochs=1,
                         num_train_samples=10)
    start = time.perf_counter()
    solver.train()
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"{elapsed:.2f} s for 2,000 updates"
