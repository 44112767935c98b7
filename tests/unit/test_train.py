"""The PyTorch trainer on the CPU: a short run end to end, resume == uninterrupted, the
multi-process path (two gloo processes under torchrun), device-side augmentation, and
every error it promises to explain."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from cs231n_utils import train as train_module
from cs231n_utils.data import DataNotFoundError
from cs231n_utils.device_data import DeviceImages, channel_statistics, random_crop, random_flip
from cs231n_utils.run_record import read_run_record
from cs231n_utils.train import CheckpointMismatch, TrainConfig, main, train

torch.set_num_threads(1)


def class_images(n: int, channels: int = 3, size: int = 32, seed: int = 0):
    """uint8 (n, C, size, size) images whose class (0..9) is written in their brightness
    pattern, so a small network learns them within two epochs; labels int64 (n,)."""
    gen = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 10
    base = torch.randint(0, 60, (n, channels, size, size), generator=gen)
    stripe = (labels * (size // 10))[:, None, None, None]
    rows = torch.arange(size)[None, None, :, None]
    images = base + 180 * ((rows >= stripe) & (rows < stripe + size // 10))
    return images.clamp(0, 255).to(torch.uint8), labels


def small_data(n_train=400, n_test=100, channels=3, size=32):
    return class_images(n_train, channels, size, seed=0), class_images(n_test, channels, size, seed=1)


def config(**changes) -> TrainConfig:
    settings = dict(model="cifar_lenet", dataset="cifar10", epochs=2, batch_size=40, optimizer="adamw",
                    lr=3e-3, weight_decay=0.0, seed=3)
    settings.update(changes)
    return TrainConfig(**settings)


def test_two_epochs_write_record_curves_and_checkpoint(tmp_path):
    run = tmp_path / "run"
    record = train(config(), run, data=small_data(), progress=False)
    assert (run / "record.json").is_file() and (run / "curves.png").is_file()
    assert (run / train_module.CHECKPOINT_NAME).is_file()
    saved = read_run_record(run)
    for key in ("framework", "model", "dataset", "test_accuracy", "epochs", "wall_seconds",
                "images_per_second", "device", "torch_version", "git_commit", "config", "history"):
        assert key in saved, key
    assert saved["framework"] == "torch" and saved["model"] == "cifar_lenet" and saved["epochs"] == 2
    assert saved["parameters"] == 62_006
    assert [e["epoch"] for e in saved["history"]] == [1, 2]
    assert len(saved["loss_history"]) == saved["history"][-1]["iteration"] == 20  # 400 images / 40 per step x 2
    assert saved["config"]["lr"] == 3e-3
    # The pattern is easy: two epochs get well above chance (0.1), and the loss falls.
    assert record["test_accuracy"] > 0.3, record["history"]
    assert saved["history"][1]["train_loss"] < saved["history"][0]["train_loss"]


def test_resume_continues_exactly(tmp_path):
    """Stopping after epoch 1 and resuming gives the same weights and history as one run."""
    data = small_data()
    straight = train(config(), tmp_path / "straight", data=data, progress=False)
    partial = train(config(), tmp_path / "resumed", data=data, progress=False, stop_after=1)
    assert partial["epochs"] == 1 and not (tmp_path / "resumed" / "record.json").exists()
    resumed = train(config(), tmp_path / "resumed", data=data, progress=False, resume=True)

    def without_times(history):
        return [{k: v for k, v in e.items() if k not in ("seconds", "images_per_second")} for e in history]

    assert without_times(resumed["history"]) == without_times(straight["history"])
    assert resumed["loss_history"] == straight["loss_history"]
    a = torch.load(tmp_path / "straight" / "checkpoint.pt", weights_only=True)["model"]
    b = torch.load(tmp_path / "resumed" / "checkpoint.pt", weights_only=True)["model"]
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_label_smoothing_tta_and_sgd_run(tmp_path):
    record = train(config(optimizer="sgd", lr=0.05, weight_decay=5e-4, schedule="cosine", label_smoothing=0.1,
                          tta_flip=True, epochs=1), tmp_path / "r", data=small_data(), progress=False)
    assert 0 <= record["test_accuracy"] <= 1 and record["config"]["tta_flip"]


def test_model_with_another_input_size_gets_resized_batches(tmp_path):
    """d2l's LeNet takes 1x28x28; MNIST-like 1x20x20 data is resized on the device."""
    data = small_data(60, 30, channels=1, size=20)
    record = train(config(model="lenet", dataset="mnist", epochs=1, batch_size=30), tmp_path / "r",
                   data=data, progress=False)
    assert record["epochs"] == 1


# --- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, message", [
    ({"model": "resnet_99"}, "unknown model 'resnet_99'"),
    ({"dataset": "imagenet"}, "unknown data set 'imagenet'"),
    ({"optimizer": "lbfgs"}, "unknown optimizer 'lbfgs'"),
    ({"schedule": "linear"}, "unknown schedule 'linear'"),
    ({"model": "mnist_cnn"}, "takes 1-channel images; cifar10 has 3"),
    ({"epochs": 0}, "epochs must be at least 1"),
    ({"lr": -1.0}, "lr must be a positive number"),
])
def test_bad_settings_are_named(tmp_path, changes, message):
    with pytest.raises(ValueError, match=message):
        train(config(**changes), tmp_path / "r", data=small_data(), progress=False)


def test_checkpoint_of_another_model_is_refused(tmp_path):
    data = small_data()
    train(config(epochs=1), tmp_path / "r", data=data, progress=False)
    with pytest.raises(CheckpointMismatch, match="saved by a run of model 'cifar_lenet', not 'cifar_vgg'"):
        train(config(model="cifar_vgg", epochs=2), tmp_path / "r", data=data, progress=False, resume=True)


def test_existing_run_needs_resume(tmp_path):
    data = small_data()
    train(config(epochs=1), tmp_path / "r", data=data, progress=False)
    with pytest.raises(FileExistsError, match="--resume"):
        train(config(epochs=1), tmp_path / "r", data=data, progress=False)


def test_out_of_memory_names_the_batch_size(tmp_path, monkeypatch):
    def exhausted(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(torch.optim.AdamW, "step", exhausted)
    with pytest.raises(RuntimeError, match="out of GPU memory with batch size 40.*--batch-size 20"):
        train(config(), tmp_path / "r", data=small_data(), progress=False)


def test_diverging_run_stops_with_advice(tmp_path):
    with pytest.raises(FloatingPointError, match="lower --lr"):
        train(config(optimizer="sgd", lr=1e12, epochs=1), tmp_path / "r", data=small_data(), progress=False)


def test_cli_reports_missing_data_directory(tmp_path, capsys, data_env):
    empty = tmp_path / "empty"
    empty.mkdir()
    code = main(["--model", "mnist_cnn", "--dataset", "mnist", "--data-dir", str(empty), "--out",
                 str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "error:" in err and str(empty) in err and "MNIST" in err


def test_cli_reports_unknown_model(tmp_path, capsys):
    assert main(["--model", "nope", "--out", str(tmp_path), "--quiet"]) == 2
    assert "unknown model 'nope'" in capsys.readouterr().err


# --- the data on the device -------------------------------------------------------------------

def test_random_crop_is_a_window_of_the_padded_image():
    x = torch.arange(2 * 3 * 5 * 5, dtype=torch.uint8).reshape(2, 3, 5, 5)
    gen = torch.Generator().manual_seed(0)
    state = gen.get_state()
    out = random_crop(x, 2, gen)
    gen.set_state(state)
    dy, dx = torch.randint(0, 5, (2,), generator=gen), torch.randint(0, 5, (2,), generator=gen)
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2))
    for i in range(2):
        assert torch.equal(out[i], padded[i, :, dy[i]:dy[i] + 5, dx[i]:dx[i] + 5])


def test_random_flip_mirrors_about_half():
    x = torch.arange(400 * 4, dtype=torch.float32).reshape(400, 1, 1, 4)
    out = random_flip(x, torch.Generator().manual_seed(0))
    flipped = (out == x.flip(3)).all(dim=(1, 2, 3))
    kept = (out == x).all(dim=(1, 2, 3))
    assert bool((flipped ^ kept).all()) and 150 < int(flipped.sum()) < 250


def test_channel_statistics_match_a_float_computation():
    images, _ = class_images(20)
    mean, std = channel_statistics(images)
    pixels = images.double().div(255).transpose(0, 1).reshape(3, -1)
    assert torch.allclose(mean, pixels.mean(1)) and torch.allclose(std, pixels.std(1))


def test_epoch_indices_split_between_processes_and_repeat_per_epoch():
    images, labels = class_images(10)
    data = DeviceImages.create(images, labels, torch.device("cpu"))
    ranks = [data.epoch_indices(4, seed=1, rank=r, world_size=2) for r in range(2)]
    assert sorted(torch.cat(ranks).tolist()) == list(range(10))
    assert torch.equal(ranks[0], data.epoch_indices(4, seed=1, rank=0, world_size=2))
    assert not torch.equal(ranks[0], data.epoch_indices(5, seed=1, rank=0, world_size=2))


def test_device_images_refuse_float_images():
    with pytest.raises(ValueError, match="uint8"):
        DeviceImages.create(torch.zeros(2, 3, 4, 4), torch.zeros(2, dtype=torch.long), torch.device("cpu"))


# --- several processes --------------------------------------------------------------------------

@pytest.mark.slow
def test_two_gloo_processes_under_torchrun(tmp_path, data_env, build):
    """torchrun starts two CPU processes that train one model with DistributedDataParallel
    over gloo; process 0 writes the record, whose image count covers the whole set."""
    data_dir = tmp_path / "data"
    build.write_mnist(data_dir / "mnist", build.mnist_arrays(n_train=120, n_test=40))
    env = dict(os.environ, OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "cs231n_utils.train", "--model", "mnist_cnn", "--dataset", "mnist", "--epochs", "2",
           "--batch-size", "20", "--optimizer", "adamw", "--lr", "1e-3", "--data-dir", str(data_dir),
           "--out", str(tmp_path / "out"), "--name", "ddp", "--quiet"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    record = json.loads((tmp_path / "out" / "ddp" / "record.json").read_text())
    assert record["processes"] == 2 and record["epochs"] == 2
    assert record["dataset"].startswith("MNIST: 120 train")
    assert "test accuracy" in done.stdout
    assert np.isfinite(record["history"][-1]["train_loss"])
