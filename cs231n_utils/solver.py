"""Train a numpy model with minibatch gradient descent: the course's ``Solver``.

The Solver owns the training loop and nothing of the learning: the model (layers,
loss, gradients) and the update rule (SGD, momentum, RMSProp, Adam) are the student's
own, written in the assignment notebooks and passed in::

    solver = Solver(model, data, update_rule=adam, optim_config={"learning_rate": 1e-3},
                    batch_size=100, num_epochs=5, checkpoint_dir="runs/convnet")
    solver.train()
    solver.check_accuracy(data["X_test"], data["y_test"])

The model follows CS231n's protocol: ``model.params`` maps names to arrays, and
``model.loss(X)`` returns class scores (N, K) while ``model.loss(X, y)`` returns
``(loss, grads)`` with one gradient per parameter. An update rule is a function
``rule(w, dw, config) -> (next_w, config)``; the Solver keeps one copy of
``optim_config`` per parameter (Adam's moments differ per parameter) and sets its
``"learning_rate"`` before every update, from the base rate and ``lr_decay`` or
``lr_schedule`` (:mod:`cs231n_utils.schedules`).

Differences from CS231n's Solver, on purpose:

- When training ends the model keeps its **final** parameters, not the best ones: what
  you evaluate is what you trained. ``best_params`` and ``best_val_acc`` are kept, and
  :meth:`Solver.restore_best` puts the best parameters into the model.
- All randomness of the loop (batch order, augmentation, the accuracy subsamples) comes
  from one ``np.random.default_rng(seed)``, and a checkpoint stores its state, so a run
  resumed from a checkpoint repeats the uninterrupted one bit for bit.
- Mistakes stop early with a message: the data are checked against the model before the
  first update, and a NaN or infinite loss or gradient raises :class:`TrainingDiverged`
  before it reaches the parameters.
"""

from __future__ import annotations

import copy
import math
import numbers
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from cs231n_utils.files import atomic_write

__all__ = ["Solver", "TrainingDiverged"]

CHECKPOINT_FORMAT = 1
_DATA_KEYS = ("X_train", "y_train", "X_val", "y_val")


class TrainingDiverged(FloatingPointError):
    """The loss or a gradient became NaN or infinite; the parameters were not updated.

    Attributes: ``iteration`` (0-based index of the failed update, equal to the number of
    updates done before it), ``epoch`` (0-based epoch it belongs to), ``learning_rate``.
    """

    def __init__(self, message: str, iteration: int, epoch: int, learning_rate: float):
        super().__init__(message)
        self.iteration = iteration
        self.epoch = epoch
        self.learning_rate = learning_rate


# --- argument checks ---------------------------------------------------------------------

def _positive_int(value, name: str, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        kind = "a positive integer or None" if allow_none else "a positive integer"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value)


def _check_data(data) -> dict[str, np.ndarray]:
    if not hasattr(data, "keys"):
        raise ValueError(f"data must be a dict with keys {', '.join(_DATA_KEYS)}; got {type(data).__name__}")
    missing = [key for key in _DATA_KEYS if key not in data]
    if missing:
        raise ValueError(
            f"data is missing {', '.join(missing)}; it needs {', '.join(_DATA_KEYS)} "
            f"(it has: {', '.join(map(str, data.keys())) or 'nothing'})"
        )
    arrays = {key: np.asarray(data[key]) for key in _DATA_KEYS}  # no copy, no dtype change for arrays
    for split in ("train", "val"):
        X, y = arrays[f"X_{split}"], arrays[f"y_{split}"]
        if X.ndim < 2:
            raise ValueError(f"X_{split} must hold one example per row, got shape {X.shape}")
        if y.ndim != 1:
            raise ValueError(f"y_{split} must be one label per example, shape (N,), got shape {y.shape}")
        if len(X) != len(y):
            raise ValueError(
                f"X_{split} and y_{split} differ in length: X_{split}.shape = {X.shape}, "
                f"y_{split}.shape = {y.shape}"
            )
        if len(X) == 0:
            raise ValueError(f"X_{split} is empty (shape {X.shape})")
        if y.dtype.kind not in "iu":
            raise ValueError(
                f"y_{split} must hold integer class labels, got dtype {y.dtype} "
                f"(use y_{split}.astype(np.int64) if the values are whole numbers)"
            )
    return arrays


def _check_model(model, X: np.ndarray) -> int:
    """Probe the model on two training images; returns the number of classes K."""
    params = getattr(model, "params", None)
    if not isinstance(params, dict) or not params:
        raise TypeError("model.params must be a non-empty dict mapping parameter names to numpy arrays")
    if not callable(getattr(model, "loss", None)):
        raise TypeError("the model needs a method loss(X, y=None)")
    probe = X[:2]
    try:
        scores = model.loss(probe)
    except NotImplementedError:
        raise  # an unfinished layer: its own message says which notebook to complete
    except Exception as exc:
        raise ValueError(
            f"the data did not fit the model: model.loss(X_train[:2]) raised {type(exc).__name__} "
            f"on images of shape X_train.shape = {X.shape}; check the model's input_dim against "
            "the data's shape (and channels-first (N, C, H, W) layout)"
        ) from exc
    if isinstance(scores, tuple):
        raise ValueError("model.loss(X) with y=None must return the scores array (test mode), got a tuple")
    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.shape[0] != len(probe):
        raise ValueError(
            f"model.loss(X_train[:2]) returned scores of shape {scores.shape}; expected "
            f"({len(probe)}, K), one row of K class scores per image"
        )
    return int(scores.shape[1])


def _check_update_rule(update_rule) -> Callable:
    if isinstance(update_rule, str) or not callable(update_rule):
        raise TypeError(
            f"update_rule must be a function rule(w, dw, config) -> (next_w, config), got "
            f"{update_rule!r}: update rules are written by you in notebook 05_optimization and "
            "passed as functions, e.g. update_rule=adam (no quotes)"
        )
    return update_rule


def _check_optim_config(optim_config) -> dict:
    if optim_config is None or not isinstance(optim_config, dict) or "learning_rate" not in optim_config:
        raise ValueError(
            "optim_config must be a dict with at least a 'learning_rate', e.g. "
            f"optim_config={{'learning_rate': 1e-3}}; got {optim_config!r}"
        )
    lr = optim_config["learning_rate"]
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr) or lr < 0:
        raise ValueError(f"optim_config['learning_rate'] must be a finite number >= 0, got {lr!r}")
    return optim_config


# --- the model's state in a checkpoint ----------------------------------------------------

_PLAIN_SCALARS = (bool, int, float, complex, str, bytes, type(None), np.generic)


def _is_plain(value, depth: int = 0) -> bool:
    """Arrays, numbers, strings, None, and lists/tuples/dicts of those: data that pickles
    and means the same in a new process. Functions and other objects are not."""
    if depth > 32:  # deeper than any model's state; also stops at reference cycles
        return False
    if isinstance(value, np.ndarray):
        return value.dtype != object
    if isinstance(value, _PLAIN_SCALARS):
        return True
    if type(value) in (list, tuple):
        return all(_is_plain(item, depth + 1) for item in value)
    if type(value) is dict:
        return all(isinstance(k, (str, int)) and _is_plain(v, depth + 1) for k, v in value.items())
    return False


def _model_state(model) -> dict:
    """model.params plus the model's other plain-data attributes (e.g. the batch-norm
    running means in ``model.bn_params``); functions loaded from notebooks are skipped."""
    attributes = {}
    for name, value in getattr(model, "__dict__", {}).items():
        if name != "params" and _is_plain(value):
            attributes[name] = value
    return {"params": dict(model.params), "attributes": attributes}


# --- the solver ---------------------------------------------------------------------------

class Solver:
    """Minibatch training of a CS231n-style model with a student's update rule.

    Args:
        model: ``model.params`` (dict name -> array) and ``model.loss(X, y=None)``.
        data: dict with ``X_train`` (N, ...), ``y_train`` (N,) integer labels, ``X_val``,
            ``y_val``; the arrays are used as they are (their dtype is never changed).
        update_rule: the function ``rule(w, dw, config) -> (next_w, config)``, e.g. your
            ``adam``; it may update ``w`` in place or return a new array.
        optim_config: dict of the rule's settings; must hold ``"learning_rate"``.
        lr_decay: multiply the learning rate by this after every epoch (CS231n's).
        lr_schedule: ``schedule(iteration, total_iterations) -> multiplier`` of the base
            learning rate (see :mod:`cs231n_utils.schedules`); not together with lr_decay.
        batch_size: images per update; every epoch is one pass over a fresh permutation
            of the training set, the last (partial) batch included.
        num_epochs: epochs :meth:`train` runs up to (counting those done before a resume).
        num_train_samples, num_val_samples: images drawn (at random, each epoch) to
            measure train and validation accuracy; None uses all of them.
        augment: ``augment(X_batch, rng) -> X_batch`` for training batches only
            (see :mod:`cs231n_utils.augment`).
        checkpoint_dir: if given, after every epoch write ``epoch_NNN.pkl`` and
            ``latest.pkl`` there.
        seed: seeds the solver's generator (batch order, augmentation, subsamples).
        print_every: with ``verbose``, print the loss every this many iterations.
        verbose: print one line per epoch (and the loss every ``print_every`` updates).
        progress: a text progress bar per epoch (default: the value of ``verbose``).

    Attributes: ``model``, ``epoch`` (completed epochs), ``iteration`` (updates done),
    ``loss_history`` and ``lr_history`` (one float per update), ``train_acc_history``
    and ``val_acc_history`` (one per epoch), ``history`` (one dict per epoch: epoch,
    iteration, train_loss, train_acc, val_acc, learning_rate, seconds, train_seconds),
    ``best_val_acc`` and ``best_params`` (copies of the parameters of the best epoch),
    ``optim_configs`` (one config per parameter), ``iterations_per_epoch``,
    ``total_iterations``.
    """

    def __init__(self, model, data, *, update_rule, optim_config=None, lr_decay=1.0, lr_schedule=None,
                 batch_size=100, num_epochs=10, num_train_samples=1000, num_val_samples=None,
                 augment=None, checkpoint_dir=None, seed=0, print_every=100, verbose=True, progress=None):
        self.update_rule = _check_update_rule(update_rule)
        optim_config = _check_optim_config(optim_config)
        if isinstance(lr_decay, bool) or not isinstance(lr_decay, numbers.Real) or not lr_decay > 0:
            raise ValueError(f"lr_decay must be a number > 0, got {lr_decay!r}")
        if lr_schedule is not None and not callable(lr_schedule):
            raise TypeError("lr_schedule must be a function schedule(iteration, total_iterations), "
                            f"got {lr_schedule!r}")
        if lr_schedule is not None and lr_decay != 1.0:
            raise ValueError(
                f"give either lr_decay ({lr_decay}) or lr_schedule, not both: the schedule sets the "
                "learning rate of every iteration (a step decay is schedules.step_decay)"
            )
        if augment is not None and not callable(augment):
            raise TypeError(f"augment must be a function augment(X_batch, rng) -> X_batch, got {augment!r}")
        self.batch_size = _positive_int(batch_size, "batch_size")
        self.num_epochs = _positive_int(num_epochs, "num_epochs")
        self.num_train_samples = _positive_int(num_train_samples, "num_train_samples", allow_none=True)
        self.num_val_samples = _positive_int(num_val_samples, "num_val_samples", allow_none=True)
        self.print_every = _positive_int(print_every, "print_every")

        arrays = _check_data(data)
        self.X_train, self.y_train = arrays["X_train"], arrays["y_train"]
        self.X_val, self.y_val = arrays["X_val"], arrays["y_val"]
        self.model = model
        self.num_classes = _check_model(model, self.X_train)
        for split in ("train", "val"):
            y = arrays[f"y_{split}"]
            low, high = int(y.min()), int(y.max())
            if low < 0 or high >= self.num_classes:
                raise ValueError(
                    f"y_{split} holds labels from {low} to {high}, but the model gives "
                    f"{self.num_classes} class scores per image: labels must lie in [0, {self.num_classes})"
                )

        self.base_learning_rate = float(optim_config["learning_rate"])
        self.lr_decay = float(lr_decay)
        self.lr_schedule = lr_schedule
        self.optim_configs = {name: copy.deepcopy(optim_config) for name in model.params}
        self.augment = augment
        self.checkpoint_dir = None if checkpoint_dir is None else Path(checkpoint_dir)
        self.seed = seed
        self.verbose = bool(verbose)
        self.progress = self.verbose if progress is None else bool(progress)
        self.iterations_per_epoch = -(-len(self.X_train) // self.batch_size)  # ceil: the last batch may be partial

        self._rng = np.random.default_rng(seed)
        self.epoch = 0
        self.iteration = 0
        self.loss_history: list[float] = []
        self.lr_history: list[float] = []
        self.train_acc_history: list[float] = []
        self.val_acc_history: list[float] = []
        self.history: list[dict] = []
        self.best_val_acc = 0.0
        self.best_params: dict[str, np.ndarray] = {}
        # Position in the current epoch: its permutation, how far it got, where it began.
        self._order: np.ndarray | None = None
        self._cursor = 0
        self._epoch_first_iteration = 0
        self._train_seconds = 0.0

    # --- learning rate ---------------------------------------------------------------------

    @property
    def total_iterations(self) -> int:
        return self.num_epochs * self.iterations_per_epoch

    def learning_rate(self) -> float:
        """The learning rate of the next update."""
        if self.lr_schedule is not None:
            return self.base_learning_rate * float(self.lr_schedule(self.iteration, self.total_iterations))
        return self.base_learning_rate * self.lr_decay**self.epoch

    # --- one update -------------------------------------------------------------------------

    def _next_batch(self) -> np.ndarray:
        n = len(self.X_train)
        if self._order is None or self._cursor >= n:
            self._order = self._rng.permutation(n)
            self._cursor = 0
            self._epoch_first_iteration = self.iteration
        batch = self._order[self._cursor:self._cursor + self.batch_size]
        self._cursor += len(batch)
        return batch

    def _diverged(self, what: str, lr: float) -> TrainingDiverged:
        return TrainingDiverged(
            f"training diverged at iteration {self.iteration + 1} (epoch {self.epoch + 1}, learning rate "
            f"{lr:.3g}): {what}. The parameters were not updated. Try a smaller learning_rate "
            "(e.g. 10x lower) and check the initialisation (weight_scale): large initial weights "
            "make the scores and the loss overflow",
            iteration=self.iteration, epoch=self.epoch, learning_rate=lr,
        )

    def step(self) -> float:
        """One minibatch update; returns its loss.

        Takes the next batch of the current epoch's permutation (a new permutation when
        the last one is used up). Raises :class:`TrainingDiverged`, before changing any
        parameter, if the loss or a gradient is NaN or infinite.
        """
        batch = self._next_batch()
        X_batch, y_batch = self.X_train[batch], self.y_train[batch]  # fancy indexing copies
        if self.augment is not None:
            X_batch = self.augment(X_batch, self._rng)
        lr = self.learning_rate()

        loss, grads = self.model.loss(X_batch, y_batch)
        loss = float(loss)
        params = self.model.params
        if not math.isfinite(loss):
            raise self._diverged(f"the loss is {loss}", lr)
        if grads.keys() != params.keys():
            raise ValueError(
                f"model.loss returned gradients for {sorted(grads)} but the parameters are {sorted(params)}: "
                "there must be one gradient per parameter"
            )
        for name, dw in grads.items():
            if np.shape(dw) != params[name].shape:
                raise ValueError(f"grads[{name!r}] has shape {np.shape(dw)} but params[{name!r}] has shape "
                                 f"{params[name].shape}")
            if not np.isfinite(dw).all():
                raise self._diverged(f"grads[{name!r}] has {int(np.size(dw) - np.isfinite(dw).sum())} "
                                     "NaN or infinite entries", lr)

        for name, dw in grads.items():
            config = self.optim_configs[name]
            config["learning_rate"] = lr
            result = self.update_rule(params[name], dw, config)
            if not isinstance(result, tuple) or len(result) != 2:
                raise TypeError(
                    f"the update rule {getattr(self.update_rule, '__name__', '')} must return "
                    f"(next_w, config), got {type(result).__name__}"
                )
            next_w, next_config = result
            if np.shape(next_w) != params[name].shape:
                raise ValueError(f"the update rule returned next_w of shape {np.shape(next_w)} for "
                                 f"params[{name!r}] of shape {params[name].shape}")
            # Store what the rule returned: right whether it updated w in place or not.
            params[name] = next_w
            self.optim_configs[name] = config if next_config is None else next_config

        self.loss_history.append(loss)
        self.lr_history.append(lr)
        self.iteration += 1
        return loss

    # --- evaluation ---------------------------------------------------------------------------

    def check_accuracy(self, X, y, num_samples=None, batch_size=100) -> float:
        """Fraction of the images in X whose highest score is their label y.

        X: (N, ...) images; y: (N,) labels. With ``num_samples`` < N, a random subset of
        that many images (drawn from the solver's generator) is used. The model runs in
        test mode (``model.loss(X)``), ``batch_size`` images at a time.
        """
        X, y = np.asarray(X), np.asarray(y)
        if len(X) != len(y) or len(X) == 0:
            raise ValueError(f"check_accuracy needs as many labels as images (at least one): "
                             f"X.shape = {X.shape}, y.shape = {y.shape}")
        batch_size = _positive_int(batch_size, "batch_size")
        num_samples = _positive_int(num_samples, "num_samples", allow_none=True)
        if num_samples is not None and num_samples < len(X):
            subset = np.sort(self._rng.choice(len(X), num_samples, replace=False))
            X, y = X[subset], y[subset]
        correct = 0
        for start in range(0, len(X), batch_size):
            scores = self.model.loss(X[start:start + batch_size])
            correct += int(np.sum(np.argmax(scores, axis=1) == y[start:start + batch_size]))
        return correct / len(X)

    # --- the loop -------------------------------------------------------------------------------

    def _say(self, text: str, bar) -> None:
        if bar is not None:
            bar.write(text, file=sys.stdout)
        else:
            print(text, flush=True)

    def _run_epoch(self) -> None:
        start = time.perf_counter()
        n = len(self.X_train)
        if self._order is None or self._cursor >= n:  # a fresh epoch (else finish the one begun)
            self._order, self._cursor = None, 0
            self._train_seconds = 0.0
        done = -(-self._cursor // self.batch_size)
        bar = None
        if self.progress:
            from tqdm.std import tqdm  # plain text: no ipywidgets, no notebook warnings

            bar = tqdm(total=self.iterations_per_epoch, initial=done, file=sys.stdout, unit="batch",
                       desc=f"epoch {self.epoch + 1}/{self.num_epochs}", leave=not self.verbose)
        try:
            loss_sum = 0.0
            for count in range(1, self.iterations_per_epoch - done + 1):
                loss = self.step()
                loss_sum += loss
                if bar is not None:
                    bar.set_postfix_str(f"loss {loss_sum / count:.4f}", refresh=False)
                    bar.update(1)
                if self.verbose and self.iteration % self.print_every == 0:
                    self._say(f"(iteration {self.iteration} / {self.total_iterations}) loss {loss:.6f}", bar)
        finally:
            if bar is not None:
                bar.close()
        self._train_seconds += time.perf_counter() - start
        self._end_epoch(start)

    def _end_epoch(self, start: float) -> None:
        self.epoch += 1
        train_acc = self.check_accuracy(self.X_train, self.y_train, num_samples=self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, num_samples=self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        epoch_losses = self.loss_history[self._epoch_first_iteration:self.iteration]
        record = {
            "epoch": self.epoch,
            "iteration": self.iteration,
            "train_loss": float(np.mean(epoch_losses)),
            "train_acc": train_acc,
            "val_acc": val_acc,
            "learning_rate": self.lr_history[-1],
            "seconds": time.perf_counter() - start,  # updates and the two accuracy checks
            "train_seconds": self._train_seconds,  # the updates only
        }
        self.history.append(record)
        if not self.best_params or val_acc > self.best_val_acc:
            self.best_val_acc = val_acc
            self.best_params = {name: w.copy() for name, w in self.model.params.items()}
        if self.checkpoint_dir is not None:
            self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
            blob = self._checkpoint_bytes()
            for name in (f"epoch_{self.epoch:03d}.pkl", "latest.pkl"):
                atomic_write(self.checkpoint_dir / name, lambda handle: handle.write(blob))
        if self.verbose:
            print(
                f"epoch {self.epoch}/{self.num_epochs}: loss {record['train_loss']:.4f}, train acc "
                f"{train_acc:.3f}, val acc {val_acc:.3f}, lr {record['learning_rate']:.2e}, "
                f"{record['seconds']:.1f} s",
                flush=True,
            )

    def train(self) -> Solver:
        """Run the epochs left up to ``num_epochs`` (all of them, or the rest after
        :meth:`load_checkpoint`). The model keeps its final parameters; see
        :meth:`restore_best`. Returns the solver."""
        while self.epoch < self.num_epochs:
            self._run_epoch()
        return self

    def restore_best(self) -> None:
        """Put the parameters of the epoch with the best validation accuracy into the model
        (copies; only ``model.params``, not other state such as batch-norm running means)."""
        if not self.best_params:
            raise RuntimeError("no best parameters yet: they are recorded at the end of each epoch of train()")
        for name, w in self.best_params.items():
            self.model.params[name] = w.copy()

    # --- checkpoints ------------------------------------------------------------------------------

    def _checkpoint_bytes(self) -> bytes:
        state = {
            "format": CHECKPOINT_FORMAT,
            "epoch": self.epoch,
            "iteration": self.iteration,
            "loss_history": self.loss_history,
            "lr_history": self.lr_history,
            "train_acc_history": self.train_acc_history,
            "val_acc_history": self.val_acc_history,
            "history": self.history,
            "best_val_acc": self.best_val_acc,
            "best_params": self.best_params,
            "optim_configs": self.optim_configs,
            "rng_state": self._rng.bit_generator.state,
            "order": self._order,
            "cursor": self._cursor,
            "epoch_first_iteration": self._epoch_first_iteration,
            "train_seconds": self._train_seconds,
            "model": _model_state(self.model),
            # For information: the settings the run was started with.
            "settings": {"batch_size": self.batch_size, "num_epochs": self.num_epochs,
                         "learning_rate": self.base_learning_rate, "lr_decay": self.lr_decay,
                         "seed": self.seed, "num_train": len(self.X_train)},
        }
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    def save_checkpoint(self, path) -> Path:
        """Write everything needed to continue training to ``path`` (a pickle); returns it.

        Holds the epoch and iteration, the histories, each parameter's optimiser config,
        the generator's state, the best parameters, and the model's state: ``model.params``
        and every other attribute that is plain data (arrays, numbers, strings, None, and
        lists/tuples/dicts of those), such as batch-norm running means. Attributes that are
        functions or other objects are not saved: the model that loads it must have them.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        blob = self._checkpoint_bytes()
        atomic_write(path, lambda handle: handle.write(blob))
        return path

    def load_checkpoint(self, path) -> None:
        """Restore the state saved by :meth:`save_checkpoint` into this solver and its model,
        so that :meth:`train` continues exactly as the original run would have.

        The solver must be built like the original (same model architecture, data, update
        rule and settings). Only load checkpoints you made: unpickling runs code.
        """
        path = Path(path)
        try:
            with open(path, "rb") as f:
                state = pickle.load(f)
        except FileNotFoundError:
            others = sorted(p.name for p in path.parent.glob("*.pkl")) if path.parent.is_dir() else []
            raise FileNotFoundError(
                f"no checkpoint at {path}" + (f"; that folder holds {', '.join(others)}" if others else "")
            ) from None
        except Exception as exc:  # unpickling a damaged file can raise almost anything
            raise ValueError(f"{path} is not a readable Solver checkpoint: {type(exc).__name__}: {exc}") from exc
        if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"{path} is not a Solver checkpoint (format {CHECKPOINT_FORMAT})")

        saved = state["model"]["params"]
        params = self.model.params
        if saved.keys() != params.keys():
            raise ValueError(f"{path} holds parameters {sorted(saved)} but the model has {sorted(params)}")
        for name, w in saved.items():
            if w.shape != params[name].shape:
                raise ValueError(f"{path}: params[{name!r}] has shape {w.shape} there but {params[name].shape} "
                                 "in the model")
        order = state["order"]
        if order is not None and len(order) != len(self.X_train):
            raise ValueError(f"{path} was made with {len(order)} training images; this solver has "
                             f"{len(self.X_train)}")

        for name, w in saved.items():
            params[name] = w
        for name, value in state["model"]["attributes"].items():
            setattr(self.model, name, value)
        self.epoch = state["epoch"]
        self.iteration = state["iteration"]
        self.loss_history = state["loss_history"]
        self.lr_history = state["lr_history"]
        self.train_acc_history = state["train_acc_history"]
        self.val_acc_history = state["val_acc_history"]
        self.history = state["history"]
        self.best_val_acc = state["best_val_acc"]
        self.best_params = state["best_params"]
        self.optim_configs = state["optim_configs"]
        self._rng.bit_generator.state = state["rng_state"]
        self._order = order
        self._cursor = state["cursor"]
        self._epoch_first_iteration = state["epoch_first_iteration"]
        self._train_seconds = state["train_seconds"]
