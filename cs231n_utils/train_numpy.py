"""Train the course's numpy ConvNet on CIFAR-10 with the course's own layers, and record the run.

    python -m cs231n_utils.train_numpy [--quick] [--notebooks solutions/layers] [--data-dir DIR]
                                       [--out results] [--run NAME] [--epochs E] [--layers ...]

Nothing here is a layer or a network: the ``ConvNet`` class comes from
``<notebooks>/06_convnets.ipynb`` and the update rule from ``05_optimization.ipynb``, loaded
with :mod:`cs231n_utils.notebook_import` (so the instructor trains the reference solutions,
and a student who points ``--notebooks`` at their own folder trains their own code). The
script adds what a real training run needs around them: the data (float32, per-channel
scaled), random flips and crops, a one-cycle learning-rate schedule, the
:class:`~cs231n_utils.solver.Solver`, the test accuracy on all 10,000 test images, and
``<out>/<run>/record.json`` with the curves beside it.

It also times one training step of the same network, side by side in this process, in
numpy and in PyTorch on the same CPU threads, and records both rates.

``--quick`` trains on a few hundred images for one epoch (a smoke test for CI). The full
mode is the course's benchmark: at least 70% test accuracy within 20 minutes on 2 cores.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    # numpy and torch share this process: idle OpenBLAS threads must not spin (see benchmark).
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import argparse
import copy
import datetime
import json
import time
from pathlib import Path

import numpy as np

__all__ = ["DEFAULT_LAYERS", "QUICK_LAYERS", "load_course_code", "torch_twin", "step_rates", "train", "main"]

# The architecture of the full run: (conv 3x3 - batch norm - ReLU) blocks, "pool" = 2x2 max pool.
DEFAULT_LAYERS = (32, "pool", 64, "pool", 128, "pool")
QUICK_LAYERS = (8, "pool", 16, "pool")

# glibc returns every freed block larger than 32 MB to the kernel, and the next
# allocation faults it back in page by page, zeroed: a numpy network pays that for every
# big temporary of every layer of every step. Keeping freed memory in the heap avoids it.
HEAP_SETTINGS = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(1 << 36)}


def load_course_code(notebooks: Path, update_rule: str = "sgd_momentum"):
    """(ConvNet class, update rule) from the course notebooks in ``notebooks``."""
    from cs231n_utils.notebook_import import load_functions, load_notebook

    convnets = load_notebook(notebooks / "06_convnets.ipynb")
    if not isinstance(getattr(convnets, "ConvNet", None), type):
        raise SystemExit(f"{notebooks / '06_convnets.ipynb'} defines no class ConvNet in its solution cells")
    (rule,) = load_functions(notebooks / "05_optimization.ipynb", update_rule)
    return convnets.ConvNet, rule


def load_data(data_dir, num_training: int, num_validation: int, num_test: int) -> dict:
    """CIFAR-10 as float32 (N, 3, 32, 32): mean image subtracted, each channel divided by
    its standard deviation over the training images."""
    from cs231n_utils.data import get_cifar10_data

    data = get_cifar10_data(num_training, num_validation, num_test, data_dir=data_dir, dtype=np.float32)
    scale = data["X_train"].std(axis=(0, 2, 3), keepdims=True).astype(np.float32)
    for split in ("X_train", "X_val", "X_test"):
        data[split] /= scale
    return data


def torch_twin(model, layers):
    """The same network in PyTorch (weights copied from ``model``), for timing only."""
    import torch
    from torch import nn

    blocks, index, channels = [], 0, model.params["W1"].shape[1]
    for layer in layers:
        if layer == "pool":
            blocks.append(nn.MaxPool2d(2))
            continue
        index += 1
        conv, norm = nn.Conv2d(channels, layer, 3, padding=1), nn.BatchNorm2d(layer, momentum=0.1)
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(model.params[f"W{index}"]))
            conv.bias.copy_(torch.from_numpy(model.params[f"b{index}"]))
        blocks += [conv, norm, nn.ReLU()]
        channels = layer
    weight = model.params[f"W{index + 1}"]  # (D, K)
    head = nn.Linear(*weight.shape)
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(weight.T.copy()))
    return nn.Sequential(*blocks, nn.Flatten(), head)


def step_rates(model, update_rule, optim_config, layers, X, y, steps: int = 10) -> dict:
    """Images per second of one training step (forward, backward, update) of ``model``
    in numpy and of its PyTorch twin, timed alternately in this process (median of
    ``steps``), with the same batch and the same threads."""
    import torch

    from cs231n_utils.benchmark import blas_info

    threads = blas_info()["numpy BLAS threads"]
    torch.set_num_threads(threads if isinstance(threads, int) else torch.get_num_threads())
    # Time a copy: the steps change the weights and the batch-norm running statistics.
    model = copy.deepcopy(model)
    net = torch_twin(model, layers).train()
    optimizer = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    configs = {name: dict(optim_config) for name in model.params}

    def numpy_step():
        _, grads = model.loss(X, y)
        for name, w in model.params.items():
            model.params[name], configs[name] = update_rule(w, grads[name], configs[name])

    def torch_step():
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(net(X_t), y_t).backward()
        optimizer.step()

    times = {"numpy": [], "torch": []}
    numpy_step(), torch_step()  # warm-up
    for _ in range(steps):
        for name, step in (("numpy", numpy_step), ("torch", torch_step)):
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {f"{name}_step_images_per_second": round(len(X) / float(np.median(t)), 1) for name, t in times.items()}


def _describe_model(layers, batchnorm: bool) -> str:
    blocks = " - ".join("pool" if layer == "pool" else f"conv{layer}" + ("-bn" if batchnorm else "") + "-relu"
                        for layer in layers)
    return f"ConvNet: {blocks} - affine"


def train(args) -> dict:
    """Train as ``args`` say, write the record and curves, return the record."""
    from cs231n_utils import augment, run_record, schedules
    from cs231n_utils.solver import Solver

    layers = tuple(args.layers)
    ConvNet, rule = load_course_code(args.notebooks, args.update_rule)
    sizes = (500, 100, 200) if args.quick else (49000, 1000, 10000)
    data = load_data(args.data_dir, *sizes)
    model = ConvNet(input_dim=data["X_train"].shape[1:], layers=layers, num_classes=10, batchnorm=True,
                    weight_scale="he", reg=args.reg, dtype=np.float32, seed=args.seed)
    optim_config = {"learning_rate": args.lr}
    if args.update_rule == "sgd_momentum":
        optim_config["momentum"] = 0.9

    rates = step_rates(model, rule, optim_config, layers, data["X_train"][: args.batch_size],
                       data["y_train"][: args.batch_size], steps=3 if args.quick else 10)
    print(f"one training step, batch {args.batch_size}: numpy {rates['numpy_step_images_per_second']} images/s, "
          f"PyTorch {rates['torch_step_images_per_second']} images/s (same CPU threads)", flush=True)

    run_dir = Path(args.out) / args.run
    solver = Solver(
        model, data, update_rule=rule, optim_config=optim_config,
        lr_schedule=schedules.one_cycle(peak_at=args.peak_at, start=0.1, end=0.01),
        batch_size=args.batch_size, num_epochs=args.epochs, num_train_samples=1000, num_val_samples=None,
        augment=augment.random_flip_crop(pad=4) if args.augment else None,
        checkpoint_dir=run_dir / "checkpoints" if args.checkpoints else None,
        seed=args.seed, print_every=10**9, verbose=True, progress=args.progress,
    )
    start = time.perf_counter()
    solver.train()
    train_seconds = time.perf_counter() - start
    test_accuracy = solver.check_accuracy(data["X_test"], data["y_test"], batch_size=500)
    wall_seconds = time.perf_counter() - start
    images = args.epochs * len(data["X_train"])  # each epoch sees every training image once

    record = {
        "framework": "numpy",
        "model": _describe_model(layers, True),
        "layers": [layer for layer in layers],
        "dataset": f"CIFAR-10: {len(data['X_train'])} train, {len(data['X_val'])} val, {len(data['X_test'])} test",
        "test_accuracy": round(float(test_accuracy), 4),
        "best_val_accuracy": round(float(solver.best_val_acc), 4),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "update_rule": args.update_rule,
        "optim_config": optim_config,
        "schedule": f"one_cycle(peak_at={args.peak_at}, start=0.1, end=0.01)",
        "reg": args.reg,
        "augmentation": "random_flip_crop(pad=4)" if args.augment else "none",
        "seed": args.seed,
        "wall_seconds": round(wall_seconds, 1),
        "train_seconds": round(train_seconds, 1),
        "images_per_second": round(images / train_seconds, 1),
        **rates,
        "heap_settings": {k: os.environ.get(k, "(unset)") for k in HEAP_SETTINGS},
        "quick": bool(args.quick),
        "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **run_record.machine_info(),
        "history": solver.history,
        "loss_history": [round(float(v), 5) for v in solver.loss_history],
    }
    path = run_record.write_run_record(run_dir, record)
    run_record.save_curves(run_dir, record)
    print(f"test accuracy {record['test_accuracy']:.4f} after {args.epochs} epochs, "
          f"{record['wall_seconds']:.0f} s wall, {record['images_per_second']:.0f} images/s; record: {path}")
    return record


def _layers(text: str) -> list:
    """'32,pool,64' -> [32, 'pool', 64]"""
    out = []
    for item in text.split(","):
        item = item.strip()
        if item == "pool":
            out.append("pool")
        elif item.isdigit() and int(item) > 0:
            out.append(int(item))
        else:
            raise argparse.ArgumentTypeError(f"layers are positive integers (conv filters) or 'pool', got {item!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m cs231n_utils.train_numpy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 training images, one epoch, a tiny net: a smoke test")
    parser.add_argument("--notebooks", type=Path, default=Path("solutions/layers"),
                        help="folder with 05_optimization.ipynb and 06_convnets.ipynb (default: %(default)s)")
    parser.add_argument("--data-dir", default=None, help="CIFAR-10 data directory (default: $CS231N_DATA, else ~/.cache/cs231n)")
    parser.add_argument("--out", default="results", help="records go to OUT/RUN/ (default: %(default)s)")
    parser.add_argument("--run", default=None, help="run name (default: numpy-convnet, or numpy-convnet-quick)")
    parser.add_argument("--layers", type=_layers, default=None, help=f"e.g. 32,pool,64,pool (default: {','.join(map(str, DEFAULT_LAYERS))})")
    parser.add_argument("--epochs", type=int, default=None, help="default 1 (quick) or 10")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--update-rule", default="sgd_momentum", choices=["sgd", "sgd_momentum", "rmsprop", "adam"])
    parser.add_argument("--lr", type=float, default=None, help="peak learning rate (default 0.1 for SGD, 3e-3 otherwise)")
    parser.add_argument("--peak-at", type=float, default=0.25, help="fraction of training at the learning-rate peak")
    parser.add_argument("--reg", type=float, default=5e-4, help="L2 regularisation strength")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-augment", dest="augment", action="store_false")
    parser.add_argument("--checkpoints", action="store_true", help="write a checkpoint after every epoch")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    parser.add_argument("--keep-allocator", action="store_true",
                        help="do not re-run with glibc's heap settings " + " ".join(f"{k}={v}" for k, v in HEAP_SETTINGS.items()))
    args = parser.parse_args(argv)
    args.layers = args.layers or list(QUICK_LAYERS if args.quick else DEFAULT_LAYERS)
    args.epochs = args.epochs or (1 if args.quick else 10)
    args.run = args.run or ("numpy-convnet-quick" if args.quick else "numpy-convnet")
    if args.lr is None:
        args.lr = 0.1 if args.update_rule in ("sgd", "sgd_momentum") else 3e-3
    if not args.keep_allocator and any(os.environ.get(k) != v for k, v in HEAP_SETTINGS.items()):
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable, "-m", "cs231n_utils.train_numpy", *argv], {**os.environ, **HEAP_SETTINGS})
    train(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
