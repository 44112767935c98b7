"""The model zoo's training results, read from the committed run records, and the runs
still planned for a GPU.

The zoo chapters of the book never type a result: they call this module while the book
builds. It reads every ``results/<run>/record.json`` written by the PyTorch trainer
(:mod:`cs231n_utils.train`, framework ``"torch"``) and turns the records into Markdown
tables with the command that reproduces each run::

    from cs231n_utils import zoo_results
    zoo_results.results_table(["lenet", "lenet_bn"])     # one row per run of these models
    zoo_results.runs_table(zoo_results.experiment_runs("dropout"))

A run in :data:`PLANNED_RUNS` that has no record yet gets a row that says
"pending: needs a GPU run", with the command that will make it. Those settings are plans,
not results, and the rows say so. ``python -m cs231n_utils.zoo_results --pending`` prints
the commands of every pending run, for the session that has a GPU.

The module also holds what the zoo chapters draw from the records and the models:
:func:`draw_layers` (a network as a column of boxes with their output shapes),
:func:`loss_band` for the batch-norm experiment, and :func:`export_feature_maps`, which
stores the activations of a trained network next to its record (the checkpoint is too
large to commit, the activations of a few images are not).
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    # numpy and torch share this process (see benchmark.py): set before numpy loads.
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import argparse
import dataclasses
import json
import math
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

# The figure class of cs231n_utils.plots: a Figure made without pyplot that Jupyter still
# shows as a PNG (a plain Figure shows as its repr text when pyplot was never imported).
from cs231n_utils.plots import NotebookFigure as _PngFigure
from cs231n_utils.run_record import RECORD_NAME, read_run_record

__all__ = ["PENDING", "RESULTS_DIR", "RESULTS_ENV", "FEATURE_MAPS_NAME", "PlannedRun", "PLANNED_RUNS",
           "EXPERIMENTS", "LANDSCAPE_LRS", "DROPOUT_RATES", "experiment_runs", "train_command",
           "planned_commands", "pending_commands", "results_dir", "find_records", "ResultRow", "model_rows",
           "run_rows", "markdown_table", "results_table", "runs_table", "draw_layers", "loss_band",
           "export_feature_maps", "read_feature_maps", "main"]

PENDING = "pending: needs a GPU run"
# The repository's results/ folder, where the trainer's default --out puts the runs.
RESULTS_DIR = Path(__file__).resolve().parents[1] / "results"
# Names another folder of runs, e.g. to build the book against a copy of a GPU machine's results.
RESULTS_ENV = "CS231N_RESULTS"
FEATURE_MAPS_NAME = "feature_maps.npz"
TRAIN_MODULE = "python -m cs231n_utils.train"

# The settings of TrainConfig that the command line spells differently from
# "--" + name.replace("_", "-"); every other setting follows that rule.
_NEGATED_FLAGS = {"augment": "--no-augment"}  # a True default switched off by a flag
_ONE_FLAG_PER_KEY = {"model_kwargs": "--model-arg"}


# --- the plans ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlannedRun:
    """A training run the book expects, before it exists: the settings to run it with.

    ``experiment`` is "zoo" for a model's run in its chapter, else the experiment of the
    book's experiments chapter it belongs to (:data:`EXPERIMENTS`). Settings not named
    here keep the trainer's defaults (:class:`cs231n_utils.train.TrainConfig`).
    ``feature_maps``: after training, store the activations of a few test images with
    :func:`export_feature_maps`.
    """

    model: str
    dataset: str              # the trainer's name: "cifar10" or "mnist"
    epochs: int
    batch_size: int
    lr: float                 # peak learning rate of the schedule
    optimizer: str = "sgd"
    model_kwargs: Mapping = field(default_factory=dict)
    experiment: str = "zoo"
    feature_maps: bool = False

    def config(self) -> dict:
        """The full training configuration, as the trainer stores it in a record."""
        from cs231n_utils.train import TrainConfig

        return dataclasses.asdict(TrainConfig(
            model=self.model, dataset=self.dataset, epochs=self.epochs, batch_size=self.batch_size,
            optimizer=self.optimizer, lr=self.lr, model_kwargs=dict(self.model_kwargs)))


EXPERIMENTS = ("zoo", "landscape", "dropout", "feature-maps")


def _zoo_runs() -> dict[str, PlannedRun]:
    # One run per model, named as the trainer names a run by default (<model>-<dataset>).
    # These are plans, not tuned settings: the CIFAR-10 networks with batch norm keep the
    # trainer's default peak rate, the others get lower ones, since nothing keeps their
    # activations in range. The 1-channel networks train on MNIST (the trainer resizes it
    # to their input size); those with large inputs get smaller batches and fewer epochs.
    # A record stores the settings that were actually run.
    plans = [
        PlannedRun("mnist_cnn", "mnist", 5, 256, 3e-3, optimizer="adamw"),
        PlannedRun("cifar_lenet", "cifar10", 20, 512, 0.05),
        PlannedRun("cifar_vgg", "cifar10", 30, 512, 0.2),
        PlannedRun("cifar_resnet", "cifar10", 30, 512, 0.2),
        PlannedRun("cifar_resnet_deep", "cifar10", 30, 512, 0.2),
        PlannedRun("lenet", "mnist", 10, 256, 0.1),
        PlannedRun("lenet_bn", "mnist", 10, 256, 0.1),   # the same settings as lenet: a comparison
        PlannedRun("alexnet", "mnist", 10, 128, 0.01),
        PlannedRun("vgg11", "mnist", 10, 128, 0.01),
        PlannedRun("nin", "mnist", 10, 128, 0.01),
        PlannedRun("googlenet", "mnist", 10, 128, 0.01),
        PlannedRun("resnet18", "mnist", 10, 128, 0.05),
        PlannedRun("densenet", "mnist", 10, 128, 0.05),
        PlannedRun("vgg_a", "cifar10", 30, 512, 0.02),
        PlannedRun("vgg_a_bn", "cifar10", 30, 512, 0.2),
        PlannedRun("resnet18_cifar", "cifar10", 30, 512, 0.2),
    ]
    return {f"{plan.model}-{plan.dataset}": plan for plan in plans}


LANDSCAPE_LRS = (0.005, 0.01, 0.02, 0.05)
DROPOUT_RATES = (0.0, 0.3, 0.5)


def _experiment_runs() -> dict[str, PlannedRun]:
    runs: dict[str, PlannedRun] = {}
    # Batch norm and the loss landscape: VGG-A with and without batch norm, identical but
    # for the normalisation, at the same learning rates (Santurkar et al., 2018).
    for model in ("vgg_a", "vgg_a_bn"):
        for lr in LANDSCAPE_LRS:
            runs[f"landscape-{model}-lr{lr:g}"] = PlannedRun(model, "cifar10", 20, 128, lr, experiment="landscape")
    # Dropout before the last layer of the seed's VGG-style network.
    for p in DROPOUT_RATES:
        runs[f"dropout-cifar_vgg-p{p:.1f}"] = PlannedRun("cifar_vgg", "cifar10", 30, 512, 0.2,
                                                         model_kwargs={"dropout": p}, experiment="dropout")
    # A small ResNet whose activations are stored for the feature-map figures.
    runs["featuremaps-cifar_resnet"] = PlannedRun("cifar_resnet", "cifar10", 30, 512, 0.2,
                                                  experiment="feature-maps", feature_maps=True)
    return runs


# Every run the book expects: {run name (its folder under results/): plan}.
PLANNED_RUNS: dict[str, PlannedRun] = {**_zoo_runs(), **_experiment_runs()}


def experiment_runs(experiment: str) -> list[str]:
    """The names of the planned runs of ``experiment`` (one of :data:`EXPERIMENTS`), in order."""
    if experiment not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {experiment!r}; known: {', '.join(EXPERIMENTS)}")
    return [name for name, plan in PLANNED_RUNS.items() if plan.experiment == experiment]


# --- commands ----------------------------------------------------------------------------------

def _flag_value(value) -> str:
    # repr of a float is the shortest text that reads back as the same float.
    return shlex.quote(repr(value) if isinstance(value, float) else str(value))


def train_command(config: Mapping, name: str | None = None, out: str = "results") -> str:
    """The command line that runs the trainer with ``config`` (a record's ``config``, i.e.
    the fields of :class:`~cs231n_utils.train.TrainConfig`), every setting spelled out so
    that a later change of the trainer's defaults does not change the run.

    ``name``: the run's folder name, written as ``--out out --name name``.
    """
    if "model" not in config:
        raise ValueError("a training configuration needs a 'model'")
    parts = [TRAIN_MODULE, "--model", _flag_value(config["model"])]
    for key, value in config.items():
        if key == "model" or value is None:  # None: the setting is off (e.g. no subset)
            continue
        if key in _ONE_FLAG_PER_KEY:
            for arg, arg_value in value.items():
                parts += [_ONE_FLAG_PER_KEY[key], shlex.quote(f"{arg}={json.dumps(arg_value)}")]
        elif key in _NEGATED_FLAGS:
            if not value:
                parts.append(_NEGATED_FLAGS[key])
        elif isinstance(value, bool):
            if value:
                parts.append("--" + key.replace("_", "-"))
        else:
            parts += ["--" + key.replace("_", "-"), _flag_value(value)]
    if name is not None:
        parts += ["--out", shlex.quote(out), "--name", shlex.quote(name)]
    return " ".join(parts)


def planned_commands(names: Iterable[str], out: str = "results") -> list[str]:
    """The commands that make the planned runs ``names``, in order: the trainer's, each
    followed by the feature-map export where the plan asks for one."""
    commands = []
    for name in names:
        plan = PLANNED_RUNS[name]
        commands.append(train_command(plan.config(), name, out))
        if plan.feature_maps:
            run_dir = shlex.quote(f"{out}/{name}")
            commands.append(f"python -m cs231n_utils.zoo_results --export-feature-maps {run_dir}")
    return commands


def pending_commands(records: Mapping[str, Mapping] | None = None, out: str = "results") -> list[str]:
    """:func:`planned_commands` of every planned run without a record, in the order of
    :data:`PLANNED_RUNS`."""
    records = find_records() if records is None else records
    return planned_commands([name for name in PLANNED_RUNS if name not in records], out)


# --- records -----------------------------------------------------------------------------------

def results_dir() -> Path:
    """The folder of the runs: ``$CS231N_RESULTS`` when set, else the repository's results/."""
    return Path(os.environ.get(RESULTS_ENV) or RESULTS_DIR)


def find_records(root: str | os.PathLike | None = None) -> dict[str, dict]:
    """Every PyTorch run record under ``root`` (default: :func:`results_dir`):
    {run folder name: record}, sorted by name. Records of other frameworks (the numpy
    trainer's) are left out; an invalid record raises ValueError naming its file."""
    root = results_dir() if root is None else Path(root)
    records = {}
    for path in sorted(root.glob(f"*/{RECORD_NAME}")):
        record = read_run_record(path)
        if record["framework"] == "torch":
            records[path.parent.name] = record
    return records


@dataclass(frozen=True)
class ResultRow:
    """One row of a results table: a recorded run, or a planned one (``pending``), whose
    measured fields are then None."""

    run: str
    model: str
    dataset: str
    command: str
    pending: bool
    epochs: int
    test_accuracy: float | None = None
    wall_seconds: float | None = None
    images_per_second: float | None = None
    device: str | None = None
    torch_version: str | None = None
    git_commit: str | None = None


def _recorded_row(name: str, record: Mapping) -> ResultRow:
    config = record.get("config")
    if not isinstance(config, Mapping):
        raise ValueError(f"the record of run {name!r} has no training 'config' to rebuild its command from")
    return ResultRow(
        run=name, model=record["model"], dataset=record["dataset"], command=train_command(config, name),
        pending=False, epochs=record["epochs"], test_accuracy=record["test_accuracy"],
        wall_seconds=record["wall_seconds"], images_per_second=record["images_per_second"],
        device=record["device"], torch_version=record.get("torch_version"), git_commit=record["git_commit"])


def _planned_row(name: str, plan: PlannedRun) -> ResultRow:
    from cs231n_utils.train import DATASET_NAMES

    return ResultRow(run=name, model=plan.model, dataset=DATASET_NAMES[plan.dataset],
                     command=train_command(plan.config(), name), pending=True, epochs=plan.epochs)


def _experiment_run_names() -> set[str]:
    return {name for name, plan in PLANNED_RUNS.items() if plan.experiment != "zoo"}


def model_rows(models: Iterable[str], records: Mapping[str, Mapping] | None = None) -> list[ResultRow]:
    """The rows of ``models``, model by model: every recorded run of the model (the
    experiments' planned runs excepted; :func:`run_rows` shows those), then each of its
    planned zoo runs that has no record yet."""
    from cs231n_utils.zoo import get_spec

    records = find_records() if records is None else records
    experiment_names = _experiment_run_names()
    rows = []
    for model in models:
        get_spec(model)  # an unknown name raises, listing the known ones
        rows += [_recorded_row(name, record) for name, record in records.items()
                 if record["model"] == model and name not in experiment_names]
        rows += [_planned_row(name, plan) for name, plan in PLANNED_RUNS.items()
                 if plan.model == model and plan.experiment == "zoo" and name not in records]
    return rows


def run_rows(names: Iterable[str], records: Mapping[str, Mapping] | None = None) -> list[ResultRow]:
    """One row per run name: its record when there is one, else its plan."""
    records = find_records() if records is None else records
    rows = []
    for name in names:
        if name in records:
            rows.append(_recorded_row(name, records[name]))
        elif name in PLANNED_RUNS:
            rows.append(_planned_row(name, PLANNED_RUNS[name]))
        else:
            raise KeyError(f"run {name!r} has neither a record nor a plan")
    return rows


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _commit(commit: str) -> str:
    dirty = commit.endswith("-dirty")
    short = commit.removesuffix("-dirty")[:10]
    return f"`{short}`" + (" (uncommitted changes)" if dirty else "")


def markdown_table(rows: Sequence[ResultRow]) -> str:
    """A Markdown table of ``rows`` (run, model, data set, test accuracy, epochs, wall time,
    images/s, device, PyTorch version, git commit), then a list of the command that
    reproduces each run: commands are too long for a table column.

    A pending row says "pending: needs a GPU run" where the accuracy would be and marks
    its epochs as planned; when no row has been recorded yet, the columns of measured
    values (all empty) are left out.
    """
    measured = any(not row.pending for row in rows)
    header = ["run", "model", "data set", "test accuracy", "epochs"]
    if measured:
        header += ["wall time", "images/s", "device", "PyTorch", "git commit"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [f"`{row.run}`", f"`{row.model}`", row.dataset]
        if row.pending:
            cells += [f"**{PENDING}**", f"{row.epochs} (planned)"] + ["–"] * (5 if measured else 0)
        else:
            cells += [f"**{row.test_accuracy:.2%}**", str(row.epochs), f"{row.wall_seconds / 60:.1f} min",
                      f"{row.images_per_second:,.0f}", row.device, row.torch_version or "–",
                      _commit(row.git_commit)]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "The command of each run:", ""]
    lines += [f"- `{row.run}`: `{row.command}`" for row in rows]
    return "\n".join(lines) + "\n"


def results_table(models: Iterable[str], root: str | os.PathLike | None = None) -> str:
    """:func:`markdown_table` of :func:`model_rows` for the records under ``root``."""
    return markdown_table(model_rows(models, find_records(root)))


def runs_table(names: Iterable[str], root: str | os.PathLike | None = None) -> str:
    """:func:`markdown_table` of :func:`run_rows` for the records under ``root``."""
    return markdown_table(run_rows(names, find_records(root)))


# --- figures -----------------------------------------------------------------------------------

_KIND_COLOURS = {
    "input": "#eeeeee", "conv": "#9ecae1", "pool": "#fdd0a2", "linear": "#c7e9c0", "block": "#fcbba1",
    "other": "#eeeeee",
}
# Layers that keep their input's shape and only transform values: drawn inside the box of
# the layer before them rather than as boxes of their own.
_FOLLOWERS = {"ReLU", "Sigmoid", "Tanh", "LeakyReLU", "GELU", "BatchNorm1d", "BatchNorm2d", "Dropout", "Identity"}
_BLOCKS = ("Inception", "BasicBlock", "DenseBlock")


def _summary(module) -> str:
    """A container's children as text, repeats counted: "Inception ×2 · MaxPool2d"."""
    names = [type(child).__name__ for child in module.children()]
    parts: list[str] = []
    for name in names:
        if parts and parts[-1].split(" ×")[0] == name:
            count = int(parts[-1].split(" ×")[1]) + 1 if " ×" in parts[-1] else 2
            parts[-1] = f"{name} ×{count}"
        else:
            parts.append(name)
    return " · ".join(parts)


def _box_kind(text: str) -> str:
    if any(block in text for block in _BLOCKS):
        return "block"
    for kind, word in (("conv", "Conv"), ("linear", "Linear"), ("pool", "Pool")):
        if word in text:
            return kind
    return "other"


def _shape_text(shape: Sequence[int]) -> str:
    return " × ".join(map(str, shape[1:]))  # without the batch dimension


def draw_layers(model, input_shape: Sequence[int] | None = None, title: str | None = None) -> Figure:
    """A network as a column of boxes, input at the top, each with its output shape.

    model: an ``nn.Module`` or a registered name of :mod:`cs231n_utils.zoo` (built on
    the meta device); input_shape: (C, H, W), by default a name's registered one. One box
    per top-level child, as :func:`cs231n_utils.zoo.layer_shapes` lists them, except that
    a layer which keeps the shape and only transforms values (activation, batch norm,
    dropout) joins the box before it. A container is described by its children
    ("Conv2d · ReLU · MaxPool2d"). Box widths grow with the log of the number of values
    a box outputs, so the column narrows where the network shrinks its input.
    """
    from cs231n_utils.zoo import layer_shapes
    from cs231n_utils.zoo.registry import model_and_input

    model, input_shape = model_and_input(model, input_shape, caller="draw_layers")
    shapes = layer_shapes(model, input_shape)
    boxes: list[tuple[list[str], tuple[int, ...], str]] = [(["input"], (1, *input_shape), "input")]
    for (label, shape), (name, child) in zip(shapes, model.named_children()):
        kind_name = type(child).__name__
        if kind_name in _FOLLOWERS and len(boxes) > 1 and tuple(shape) == boxes[-1][1]:
            boxes[-1][0].append(kind_name)
            continue
        text = _summary(child) if kind_name in ("Sequential", "ModuleList") else kind_name
        if not name.isdigit():
            text = f"{name}: {text}"
        boxes.append(([text], tuple(shape), _box_kind(text)))

    sizes = np.array([math.log10(max(2, math.prod(shape[1:]))) for _, shape, _ in boxes])
    widths = 0.4 + 0.6 * sizes / sizes.max()
    fig = _PngFigure(figsize=(7.5, 0.3 + 0.45 * len(boxes) + (0.3 if title else 0)), layout="constrained")
    ax = fig.subplots()
    ax.set_xlim(-0.52, 1.2)
    ax.set_ylim(len(boxes) - 0.45, -0.8)
    ax.set_axis_off()
    for row, ((texts, shape, kind), width) in enumerate(zip(boxes, widths)):
        ax.add_patch(FancyBboxPatch((-width / 2, row - 0.3), width, 0.6,
                                    boxstyle="round,pad=0.0,rounding_size=0.06",
                                    facecolor=_KIND_COLOURS[kind], edgecolor="#555555", linewidth=0.8))
        text = " · ".join(texts)
        if len(text) > 58:
            text = text[:56] + "…"
        ax.text(0, row, text, ha="center", va="center", fontsize=7)
        ax.text(0.62, row, _shape_text(shape), ha="left", va="center", fontsize=8, family="monospace")
        if row:
            ax.annotate("", xy=(0, row - 0.3), xytext=(0, row - 0.7),
                        arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 0.8})
    ax.text(0.62, -0.65, "output shape", ha="left", va="center", fontsize=8, style="italic")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def loss_band(records: Sequence[Mapping]) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """The lowest and highest training loss over several runs at each point of training.

    Per step when every record holds a per-step ``loss_history`` (the numpy trainer's),
    else per epoch from ``history[i]["train_loss"]`` (the PyTorch trainer's). Runs of
    different lengths are cut to the shortest. Returns (x, low, high, unit) with x the
    step (from 0) or epoch (from 1) numbers and unit "step" or "epoch".
    """
    if not records:
        raise ValueError("loss_band needs at least one run record")

    def floats(values) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    if all(record.get("loss_history") for record in records):
        curves = [floats(record["loss_history"]) for record in records]
        unit = "step"
    else:
        curves = [floats(entry["train_loss"] for entry in record["history"]) for record in records]
        unit = "epoch"
    length = min(len(curve) for curve in curves)
    if length == 0:
        raise ValueError("a run record has no training losses")
    stacked = np.stack([curve[:length] for curve in curves])   # (runs, points)
    x = np.arange(length) if unit == "step" else np.arange(1, length + 1)
    return x, stacked.min(axis=0), stacked.max(axis=0), unit


# --- feature maps of a trained network ------------------------------------------------------------

def export_feature_maps(run_dir: str | os.PathLike, n_images: int = 8, data_dir=None, data=None) -> Path:
    """Store what the trained model of ``run_dir`` computes on the first ``n_images``
    test images: ``run_dir/feature_maps.npz`` (a few MB at most; the checkpoint is not
    committed, so this is what the book reads).

    Reads the run's ``record.json`` and ``checkpoint.pt`` (the weights of the last
    epoch), normalises the images as the trainer did (with the training set's
    per-channel statistics) and records the output of every top-level child of the
    model whose output is a 4-D map. data: ``((X_train, y_train), (X_test, y_test))``
    uint8 (N, C, H, W) / int64 tensors instead of reading the data directory (tests).

    The file holds: ``images`` uint8 (n, C, H, W), ``labels`` and ``predictions`` (n,),
    ``layers`` (the children's labels, as :func:`cs231n_utils.zoo.layer_shapes` names
    them) and ``maps_<i>`` float32 (n, C_i, H_i, W_i) for each of them.
    """
    import torch

    from cs231n_utils.device_data import channel_statistics, load_dataset
    from cs231n_utils.train import CHECKPOINT_NAME
    from cs231n_utils.zoo import build_model, layer_shapes

    run_dir = Path(run_dir)
    record = read_run_record(run_dir)
    config = record.get("config") or {}
    if config.get("train_subset") is not None:
        # The trainer's statistics came from a sample of the training set, not kept.
        raise ValueError(f"{run_dir} was trained on a subset; its normalisation cannot be rebuilt")
    state = torch.load(run_dir / CHECKPOINT_NAME, map_location="cpu", weights_only=True)
    if state.get("epoch") != record["epochs"]:
        raise ValueError(f"{run_dir / CHECKPOINT_NAME} holds epoch {state.get('epoch')}, "
                         f"the record {record['epochs']}: not the recorded weights")
    model = build_model(config["model"], **config.get("model_kwargs", {}))
    model.load_state_dict(state["model"])
    model.eval()

    (x_train, _), (x_test, y_test) = data if data is not None else load_dataset(config["dataset"], data_dir)
    mean, std = channel_statistics(x_train)
    images, labels = x_test[:n_images], y_test[:n_images]
    x = (images.float() / 255 - mean.float()[:, None, None]) / std.float()[:, None, None]

    # The children's labels as layer_shapes names them; their outputs from hooks, in the
    # same order (both follow the order in which the children run).
    labelled = layer_shapes(model, tuple(x.shape[1:]))
    outputs: list[torch.Tensor] = []
    hooks = [child.register_forward_hook(lambda module, inputs, output: outputs.append(output))
             for child in model.children()]
    try:
        with torch.no_grad():
            logits = model(x)
    finally:
        for hook in hooks:
            hook.remove()
    assert [tuple(out.shape[1:]) for out in outputs] == [shape[1:] for _, shape in labelled]
    maps = [(label, out) for (label, _), out in zip(labelled, outputs) if out.ndim == 4]
    arrays = {"images": images.numpy(), "labels": labels.numpy(), "predictions": logits.argmax(1).numpy(),
              "layers": np.array([label for label, _ in maps])}
    arrays.update({f"maps_{i}": out.numpy().astype(np.float32) for i, (_, out) in enumerate(maps)})
    path = run_dir / FEATURE_MAPS_NAME
    np.savez_compressed(path, **arrays)
    return path


def read_feature_maps(run_dir: str | os.PathLike) -> dict | None:
    """What :func:`export_feature_maps` stored for ``run_dir``, or None when nothing was:
    {"images", "labels", "predictions": arrays, "maps": [(layer label, (n, C, H, W))]}."""
    path = Path(run_dir) / FEATURE_MAPS_NAME
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        layers = [str(label) for label in data["layers"]]
        return {"images": data["images"], "labels": data["labels"], "predictions": data["predictions"],
                "maps": [(label, data[f"maps_{i}"]) for i, label in enumerate(layers)]}


# --- the command line ----------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """``--pending``: print the commands of the planned runs without a record, one per
    line (a script for the GPU session); ``--export-feature-maps RUN_DIR``: see
    :func:`export_feature_maps`."""
    parser = argparse.ArgumentParser(prog="python -m cs231n_utils.zoo_results",
                                     description="The zoo's planned runs and their results.")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--pending", action="store_true", help="print the commands of the runs not yet recorded")
    action.add_argument("--export-feature-maps", metavar="RUN_DIR",
                        help="store the activations of a trained run's model on a few test images")
    parser.add_argument("--results", default=None,
                        help=f"the folder of the runs (default: ${RESULTS_ENV}, else the repository's results/)")
    parser.add_argument("--data-dir", help="where the data sets are (default: $CS231N_DATA, then ~/.cache/cs231n)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.pending:
        out = "results" if args.results is None else args.results
        sys.stdout.write("".join(f"{command}\n" for command in pending_commands(find_records(args.results), out)))
        return 0
    try:
        path = export_feature_maps(args.export_feature_maps, data_dir=args.data_dir)
    except (FileNotFoundError, ValueError) as error:
        parser.error(str(error))
    sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
