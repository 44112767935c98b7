"""Train a model of the zoo on CIFAR-10 or MNIST with PyTorch, on a GPU when there is one.

    python -m cs231n_utils.train --model resnet18_cifar --dataset cifar10 --epochs 30
    python -m cs231n_utils.train --model mnist_cnn --dataset mnist --epochs 3 --optimizer adamw --lr 3e-3
    python -m cs231n_utils.train ... --resume          # continue results/<run>/ where it stopped
    torchrun --nproc_per_node 4 -m cs231n_utils.train ...   # several GPUs, one process each

What it does, and why:

- The whole data set sits on the device as uint8 (:mod:`cs231n_utils.device_data`) and is
  cropped, flipped and normalised there, so the GPU never waits for a CPU input pipeline.
- On CUDA the forward and backward passes run under bf16 autocast with channels-last
  memory, the formats tensor cores are fastest in; on the CPU everything stays float32.
- SGD with Nesterov momentum or AdamW, a one-cycle or cosine learning-rate schedule from
  :mod:`cs231n_utils.schedules` applied every step, label smoothing, and optionally
  test-time averaging over each image and its mirror image.
- Every epoch ends with a checkpoint (``checkpoint.pt``: weights, optimiser, schedule,
  history). All randomness is a function of the seed and the epoch, so ``--resume``
  replays exactly what an uninterrupted run would have done (tested).
- The run ends by writing ``record.json`` and ``curves.png`` with
  :mod:`cs231n_utils.run_record`, like the numpy trainer.
- Under ``torchrun`` each process trains on its share of every epoch
  (:class:`~torch.utils.data.DistributedSampler`) inside
  :class:`~torch.nn.parallel.DistributedDataParallel` (NCCL on GPUs, gloo on the CPU);
  process 0 writes the files.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    # numpy and torch share this process (see benchmark.py): set before numpy loads.
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import argparse
import contextlib
import dataclasses
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as tF
from torch.nn.parallel import DistributedDataParallel

from cs231n_utils import schedules
from cs231n_utils.device_data import DATASETS, DeviceImages, load_dataset
from cs231n_utils.files import atomic_write
from cs231n_utils.run_record import machine_info, save_curves, write_run_record

__all__ = ["TrainConfig", "train", "evaluate", "main", "CHECKPOINT_NAME", "CheckpointMismatch", "LossNotFinite"]

CHECKPOINT_NAME = "checkpoint.pt"
OPTIMIZERS = ("sgd", "adamw")
SCHEDULES = ("onecycle", "cosine")
DATASET_NAMES = {"cifar10": "CIFAR-10", "mnist": "MNIST"}


class LossNotFinite(FloatingPointError):
    """The mean training loss of an epoch was NaN or infinite (checked once per epoch, so
    that a GPU run never waits on a per-step check); the last checkpoint is the epoch
    before."""


class CheckpointMismatch(ValueError):
    """The checkpoint in the run folder belongs to another model or data set."""


@dataclass
class TrainConfig:
    """Everything that defines a run (stored in the checkpoint and the run record).

    lr is the peak learning rate of the schedule; weight decay applies to weight tensors
    (ndim > 1) only, not to biases and normalisation scales, as is usual.
    """

    model: str
    dataset: str = "cifar10"
    epochs: int = 10
    batch_size: int = 512
    optimizer: str = "sgd"
    lr: float = 0.2
    momentum: float = 0.9
    weight_decay: float = 5e-4
    schedule: str = "onecycle"
    warmup: float = 0.2
    label_smoothing: float = 0.0
    augment: bool = True
    tta_flip: bool = False
    compile: bool = False
    seed: int = 0
    train_subset: int | None = None
    test_subset: int | None = None
    model_kwargs: dict = field(default_factory=dict)

    def check(self) -> None:
        """Raise ValueError naming the first setting that cannot work."""
        from cs231n_utils import zoo

        if self.model not in zoo.MODELS:
            raise ValueError(f"unknown model {self.model!r}; known: {', '.join(sorted(zoo.MODELS))}")
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown data set {self.dataset!r}; known: {', '.join(sorted(DATASETS))}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; known: {', '.join(OPTIMIZERS)}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.schedule!r}; known: {', '.join(SCHEDULES)}")
        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"lr must be a positive number, got {self.lr}")
        if not 0 <= self.label_smoothing < 1:
            raise ValueError(f"label_smoothing must be in [0, 1), got {self.label_smoothing}")
        channels = DATASETS[self.dataset][1]
        expected = zoo.MODELS[self.model].input_shape[0]
        if expected != channels:
            raise ValueError(f"model {self.model!r} takes {expected}-channel images; "
                             f"{self.dataset} has {channels}")


# --- the processes -----------------------------------------------------------------------------

@dataclass
class _Process:
    """Where this process runs: its device, rank and the number of processes."""

    device: torch.device
    rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def pick_device(spec: str = "auto") -> torch.device:
    """``auto``: the first CUDA GPU if there is one, else the CPU; otherwise torch's name."""
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(spec)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {spec!r} asked for, but this machine has no CUDA GPU")
    return device


def _start_processes(device_spec: str) -> _Process:
    """Join the torchrun process group when launched by torchrun, else a single process."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size == 1:
        return _Process(pick_device(device_spec))
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if device_spec in ("auto", "cuda") and torch.cuda.is_available():
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
        backend = "nccl"
    else:
        device, backend = pick_device("cpu" if device_spec == "auto" else device_spec), "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    return _Process(device, rank, world_size)


def _sum_across(process: _Process, *values: torch.Tensor) -> list[torch.Tensor]:
    """Sums of the tensors over all processes (unchanged in a single process)."""
    if process.world_size == 1:
        return list(values)
    stacked = torch.stack([v.double() for v in values])
    dist.all_reduce(stacked)
    return list(stacked.unbind())


# --- one run -------------------------------------------------------------------------------------

def _optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    decay = [p for p in model.parameters() if p.requires_grad and p.ndim > 1]
    rest = [p for p in model.parameters() if p.requires_grad and p.ndim <= 1]
    groups = [{"params": decay, "weight_decay": config.weight_decay},
              {"params": rest, "weight_decay": 0.0}]
    if config.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=config.lr, momentum=config.momentum, nesterov=True)
    return torch.optim.AdamW(groups, lr=config.lr)


def _lr_schedule(optimizer: torch.optim.Optimizer, config: TrainConfig, total_steps: int):
    shape = schedules.one_cycle(peak_at=config.warmup) if config.schedule == "onecycle" \
        else schedules.cosine(warmup=config.warmup)
    # LambdaLR evaluates the last multiplier after the final step, at total_steps.
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: shape(min(step, total_steps - 1), total_steps))


def _autocast(device: torch.device):
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _subset(images: torch.Tensor, labels: torch.Tensor, size: int | None, seed: int):
    """The first ``size`` examples of a seeded permutation (all when size is None)."""
    if size is None or size >= len(labels):
        return images, labels
    keep = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))[:size]
    return images[keep], labels[keep]


def evaluate(model: nn.Module, data: DeviceImages, batch_size: int = 1000, tta_flip: bool = False,
             resize=None) -> float:
    """Accuracy of ``model`` on ``data`` in eval mode; with ``tta_flip`` the logits of each
    image and of its mirror image are averaged; ``resize`` maps a batch to the model's size."""
    was_training = model.training
    model.eval()
    correct = torch.zeros((), dtype=torch.long, device=data.images.device)
    indices = torch.arange(len(data))
    with torch.no_grad(), _autocast(data.images.device):
        for x, y in data.batches(indices, batch_size):
            if resize is not None:
                x = resize(x)
            if x.device.type == "cuda":
                x = x.contiguous(memory_format=torch.channels_last)
            logits = model(x).float()
            if tta_flip:
                logits = logits + model(x.flip(3)).float()
            correct += (logits.argmax(1) == y).sum()
    model.train(was_training)
    return correct.item() / len(data)


def _resizer(model_hw: tuple[int, int], data_hw: tuple[int, int]):
    """A function taking batches (B, C, H, W) of the data set's size to the model's input
    size (bilinear, as d2l resizes Fashion-MNIST for AlexNet), or None when they agree."""
    if tuple(model_hw) == tuple(data_hw):
        return None
    return lambda x: tF.interpolate(x, size=tuple(model_hw), mode="bilinear", align_corners=False)


def _epoch_seed(seed: int, epoch: int, rank: int) -> int:
    # Distinct, reproducible streams for every (seed, epoch, process).
    return (seed * 1_000_003 + epoch * 10_007 + rank) % (2**63)


def _save_checkpoint(path: Path, state: dict) -> None:
    atomic_write(path, lambda handle: torch.save(state, handle))


def _load_checkpoint(path: Path, config: TrainConfig) -> dict:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a damaged file
        raise CheckpointMismatch(f"cannot read the checkpoint {path}: {exc}") from exc
    saved = state.get("config", {})
    for key in ("model", "dataset", "model_kwargs"):
        if saved.get(key) != getattr(config, key):
            raise CheckpointMismatch(
                f"{path} was saved by a run of {key} {saved.get(key)!r}, not {getattr(config, key)!r}: "
                "use another --name, or the same settings to resume")
    return state


def _out_of_memory(exc: BaseException, config: TrainConfig) -> RuntimeError:
    return RuntimeError(
        f"out of GPU memory with batch size {config.batch_size} for model {config.model!r}: "
        f"try --batch-size {max(1, config.batch_size // 2)}")


def train(config: TrainConfig, run_dir: str | os.PathLike, *, data_dir=None, resume: bool = False,
          device: str = "auto", stop_after: int | None = None, progress: bool = True,
          data=None) -> dict:
    """Train ``config.model`` and write ``run_dir/record.json``, ``curves.png`` and
    ``checkpoint.pt``. Returns the run record (in every process; only process 0 writes).

    stop_after: end (with a checkpoint, and no record) after this many epochs in total, as
    if interrupted; ``resume=True`` later continues to ``config.epochs``.
    data: ``((X_train, y_train), (X_test, y_test))`` uint8 (N, C, H, W) / int64 tensors
    instead of reading the data directory (tests).
    """
    from cs231n_utils import zoo

    config.check()
    process = _start_processes(device)
    run_dir = Path(run_dir)
    checkpoint_path = run_dir / CHECKPOINT_NAME
    if checkpoint_path.exists() and not resume:
        raise FileExistsError(f"{run_dir} already holds a run: pass --resume to continue it, "
                              "or choose another --name")

    (x_train, y_train), (x_test, y_test) = data if data is not None else load_dataset(config.dataset, data_dir)
    x_train, y_train = _subset(x_train, y_train, config.train_subset, config.seed)
    x_test, y_test = _subset(x_test, y_test, config.test_subset, config.seed + 1)
    train_set = DeviceImages.create(x_train, y_train, process.device)
    test_set = DeviceImages.create(x_test, y_test, process.device, train_set.mean, train_set.std)

    torch.manual_seed(config.seed)
    model = zoo.build_model(config.model, **config.model_kwargs).to(process.device)
    if process.device.type == "cuda":
        model = model.to(memory_format=torch.channels_last)
    optimizer = _optimizer(model, config)
    steps_per_epoch = math.ceil(math.ceil(len(train_set) / process.world_size) / config.batch_size)
    scheduler = _lr_schedule(optimizer, config, steps_per_epoch * config.epochs)
    history: list[dict] = []
    loss_history: list[float] = []  # every step's loss (process 0's in a multi-process run)
    start_epoch, wall_before, train_seconds = 0, 0.0, 0.0

    if resume and checkpoint_path.exists():
        state = _load_checkpoint(checkpoint_path, config)
        try:
            model.load_state_dict(state["model"])
        except RuntimeError as exc:
            raise CheckpointMismatch(f"{checkpoint_path} does not fit model {config.model!r}: {exc}") from exc
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        history, start_epoch = state["history"], state["epoch"]
        loss_history = state.get("loss_history", [])
        wall_before, train_seconds = state["wall_seconds"], state["train_seconds"]

    if process.device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick its fastest kernels
    # The checkpoint holds `model`'s weights; `net` is what runs (compiled and/or DDP-wrapped).
    net = torch.compile(model) if config.compile else model
    net = DistributedDataParallel(net) if process.world_size > 1 else net
    criterion = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    crop_pad = DATASETS[config.dataset][3] if config.augment else 0
    flip = config.augment and DATASETS[config.dataset][2]
    resize = _resizer(zoo.MODELS[config.model].input_shape[1:], tuple(train_set.images.shape[2:]))
    last_epoch = config.epochs if stop_after is None else min(config.epochs, stop_after)
    started = time.perf_counter()

    for epoch in range(start_epoch, last_epoch):
        net.train()
        stream = _epoch_seed(config.seed, epoch, process.rank)
        torch.manual_seed(stream)  # dropout masks
        generator = torch.Generator().manual_seed(stream)
        indices = train_set.epoch_indices(epoch, config.seed, process.rank, process.world_size)
        loss_sum = torch.zeros((), dtype=torch.float64, device=process.device)
        correct = torch.zeros((), dtype=torch.long, device=process.device)
        step_losses: list[torch.Tensor] = []  # kept on the device: one transfer per epoch, not per step
        epoch_start = time.perf_counter()
        bar = _progress(progress and process.is_main, steps_per_epoch, f"epoch {epoch + 1}/{config.epochs}")
        try:
            for x, y in train_set.batches(indices, config.batch_size, crop_pad=crop_pad, flip=flip,
                                          generator=generator):
                if resize is not None:
                    x = resize(x)
                if x.device.type == "cuda":
                    x = x.contiguous(memory_format=torch.channels_last)
                with _autocast(process.device):
                    logits = net(x)
                    loss = criterion(logits.float(), y)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                scheduler.step()
                loss_sum += loss.detach().double() * len(y)
                step_losses.append(loss.detach().float())
                correct += (logits.detach().argmax(1) == y).sum()
                bar.update(1)
                if bar.n % 20 == 0:
                    seen = max(1, bar.n * config.batch_size)
                    bar.set_postfix(loss=f"{loss.item():.3f}", acc=f"{correct.item() / seen:.3f}",
                                    img_s=f"{seen * process.world_size / (time.perf_counter() - epoch_start):.0f}")
        except torch.cuda.OutOfMemoryError as exc:
            raise _out_of_memory(exc, config) from exc
        finally:
            bar.close()
        if process.device.type == "cuda":
            torch.cuda.synchronize(process.device)
        seconds = time.perf_counter() - epoch_start
        train_seconds += seconds
        loss_sum, correct, seen = _sum_across(process, loss_sum, correct,
                                              torch.tensor(float(len(indices)), device=process.device))
        train_loss = loss_sum.item() / seen.item()
        if not math.isfinite(train_loss):
            raise LossNotFinite(f"the training loss became {train_loss} in epoch {epoch + 1} "
                                   f"(lr {config.lr}): lower --lr")
        test_acc = evaluate(model, test_set, tta_flip=config.tta_flip, resize=resize)
        if step_losses:
            loss_history += [round(v, 5) for v in torch.stack(step_losses).cpu().tolist()]
        history.append({
            "epoch": epoch + 1, "iteration": (epoch + 1) * steps_per_epoch, "train_loss": train_loss,
            "train_acc": correct.item() / seen.item(), "test_acc": test_acc,
            "learning_rate": scheduler.get_last_lr()[0], "seconds": seconds,
            "images_per_second": seen.item() / seconds,
        })
        if progress and process.is_main:
            print(f"epoch {epoch + 1}: train loss {train_loss:.4f}, train acc {history[-1]['train_acc']:.4f}, "
                  f"test acc {test_acc:.4f}, {seen.item() / seconds:.0f} images/s", file=sys.stderr)
        if process.is_main:
            run_dir.mkdir(parents=True, exist_ok=True)
            _save_checkpoint(checkpoint_path, {
                "config": dataclasses.asdict(config), "epoch": epoch + 1, "model": model.state_dict(),
                "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "history": history, "loss_history": loss_history, "train_seconds": train_seconds,
                "wall_seconds": wall_before + time.perf_counter() - started,
            })
        if process.world_size > 1:
            dist.barrier()

    record = _record(config, history, process, train_seconds, wall_before + time.perf_counter() - started,
                     len(train_set), len(test_set), loss_history, zoo.count_parameters(model))
    if process.is_main and last_epoch == config.epochs:
        write_run_record(run_dir, record)
        save_curves(run_dir, record)
    return record


def _record(config: TrainConfig, history: list[dict], process: _Process, train_seconds: float,
            wall_seconds: float, n_train: int, n_test: int, loss_history: list[float], parameters: int) -> dict:
    final = history[-1]["test_acc"] if history else float("nan")
    images = sum(e["images_per_second"] * e["seconds"] for e in history)
    device = process.device
    info = machine_info()
    if device.type == "cuda":
        info["device"] = f"{torch.cuda.get_device_name(device)} x{process.world_size}"
        info["cuda_version"] = str(torch.version.cuda)
    return {
        "framework": "torch", "model": config.model,
        "dataset": f"{DATASET_NAMES[config.dataset]}: {n_train} train, {n_test} test",
        "test_accuracy": final if history else 0.0, "epochs": len(history),
        "wall_seconds": round(wall_seconds, 2),
        "images_per_second": round(images / train_seconds, 1) if train_seconds else 0.0,
        **info,
        "parameters": parameters,
        "config": dataclasses.asdict(config), "processes": process.world_size,
        "train_seconds": round(train_seconds, 2), "precision": "bf16 autocast" if device.type == "cuda" else "float32",
        "loss_history": loss_history, "history": history,
    }


class _NoBar:
    n = 0

    def update(self, k: int) -> None:
        self.n += k

    def set_postfix(self, **kwargs) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(show: bool, total: int, desc: str):
    if not show:
        return _NoBar()
    from tqdm.std import tqdm  # the text bar: this runs in terminals and CI logs

    return tqdm(total=total, desc=desc, unit="batch", leave=False, file=sys.stderr)


# --- the command line ----------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    defaults = TrainConfig(model="")
    p = argparse.ArgumentParser(prog="python -m cs231n_utils.train", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--model", required=True, help="a name from `python -m cs231n_utils.zoo --list`")
    p.add_argument("--dataset", default=defaults.dataset, choices=sorted(DATASETS))
    p.add_argument("--epochs", type=int, default=defaults.epochs)
    p.add_argument("--batch-size", type=int, default=defaults.batch_size, help="per process")
    p.add_argument("--optimizer", default=defaults.optimizer, choices=OPTIMIZERS,
                   help="sgd: with Nesterov momentum; adamw")
    p.add_argument("--lr", type=float, default=defaults.lr, help="peak learning rate")
    p.add_argument("--momentum", type=float, default=defaults.momentum)
    p.add_argument("--weight-decay", type=float, default=defaults.weight_decay)
    p.add_argument("--schedule", default=defaults.schedule, choices=SCHEDULES)
    p.add_argument("--warmup", type=float, default=defaults.warmup,
                   help="fraction of training spent warming up (one-cycle peak / cosine warm-up)")
    p.add_argument("--label-smoothing", type=float, default=defaults.label_smoothing)
    p.add_argument("--no-augment", dest="augment", action="store_false",
                   help="no random crops and flips")
    p.add_argument("--tta-flip", action="store_true", help="average each test image with its mirror image")
    p.add_argument("--compile", action="store_true", help="torch.compile the model (faster on a GPU after a warm-up)")
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--train-subset", type=int, help="train on this many examples (a seeded sample)")
    p.add_argument("--test-subset", type=int, help="test on this many examples")
    p.add_argument("--model-arg", action="append", default=[], metavar="KEY=JSON",
                   help="a keyword of the model's constructor, e.g. --model-arg dropout=0.5")
    p.add_argument("--data-dir", help="where the data sets are (default: $CS231N_DATA, then ~/.cache/cs231n)")
    p.add_argument("--out", default="results", help="folder holding one folder per run")
    p.add_argument("--name", help="the run's folder name under --out (default: <model>-<dataset>)")
    p.add_argument("--resume", action="store_true", help="continue the run from its checkpoint")
    p.add_argument("--stop-after", type=int, help="stop after this many epochs in total (resume later)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _model_kwargs(pairs: Sequence[str]) -> dict:
    kwargs = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--model-arg takes KEY=VALUE, got {pair!r}")
        try:
            kwargs[key] = json.loads(value)
        except ValueError:
            kwargs[key] = value
    return kwargs


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = TrainConfig(
            model=args.model, dataset=args.dataset, epochs=args.epochs, batch_size=args.batch_size,
            optimizer=args.optimizer, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay,
            schedule=args.schedule, warmup=args.warmup, label_smoothing=args.label_smoothing,
            augment=args.augment, tta_flip=args.tta_flip, compile=args.compile, seed=args.seed,
            train_subset=args.train_subset,
            test_subset=args.test_subset, model_kwargs=_model_kwargs(args.model_arg))
        run_dir = Path(args.out) / (args.name or f"{args.model}-{args.dataset}")
        record = train(config, run_dir, data_dir=args.data_dir, resume=args.resume, device=args.device,
                       stop_after=args.stop_after, progress=not args.quiet)
    except (ValueError, FileExistsError, FileNotFoundError, RuntimeError, LossNotFinite) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if int(os.environ.get("RANK", "0")) == 0:
        done = record["epochs"] == config.epochs
        where = f"{run_dir}/record.json" if done else f"{run_dir}/{CHECKPOINT_NAME} (resume with --resume)"
        print(f"{config.model} on {config.dataset}: test accuracy {record['test_accuracy']:.4f} after "
              f"{record['epochs']} epochs, {record['wall_seconds']:.1f} s, "
              f"{record['images_per_second']:.0f} images/s on {record['device']} -> {where}")
    if dist.is_initialized():
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
