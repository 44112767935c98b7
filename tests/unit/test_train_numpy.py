"""The numpy training script in quick mode, on a small learnable CIFAR-10 in the official
format (and, when present, on the real data): it trains the notebooks' reference ConvNet,
the loss falls, and the run record is complete."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cs231n_utils import run_record
from cs231n_utils.data import Dataset
from cs231n_utils.train_numpy import main

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "solutions" / "layers"


def learnable_cifar(n_train=600, n_test=200, seed=0) -> Dataset:
    """Images whose colour says the class (plus noise): a net learns it in a few steps."""
    rng = np.random.default_rng(seed)
    palette = rng.integers(40, 216, (10, 3))

    def split(n):
        y = rng.integers(0, 10, n)
        noise = rng.integers(-40, 41, (n, 32, 32, 3))
        X = np.clip(palette[y][:, None, None, :] + noise, 0, 255).astype(np.uint8)
        return X, y.astype(np.int64)

    return Dataset(*split(n_train), *split(n_test))


@pytest.fixture
def cifar_dir(tmp_path, build, data_env):
    build.write_cifar_batches(tmp_path / "data", learnable_cifar())
    return tmp_path / "data"


def check_quick_record(record: dict) -> None:
    assert not set(run_record.REQUIRED_FIELDS) - set(record)
    assert record["framework"] == "numpy" and record["quick"] is True and record["epochs"] == 1
    losses = record["loss_history"]
    assert np.mean(losses[-3:]) < np.mean(losses[:3]), f"the loss did not fall: {losses}"
    assert record["numpy_step_images_per_second"] > 0 and record["torch_step_images_per_second"] > 0
    assert 0.0 <= record["test_accuracy"] <= 1.0 and len(record["history"]) == 1


def test_quick_run_learns_and_writes_its_record(cifar_dir, tmp_path):
    main(["--quick", "--keep-allocator", "--no-progress", "--notebooks", str(NOTEBOOKS),
          "--data-dir", str(cifar_dir), "--out", str(tmp_path / "results"), "--batch-size", "50"])
    run_dir = tmp_path / "results" / "numpy-convnet-quick"
    record = run_record.read_run_record(run_dir / "record.json")
    check_quick_record(record)
    assert record["test_accuracy"] > 0.5, "colours are easy: a trained net tells most of them apart"
    assert (run_dir / "curves.png").stat().st_size > 0


def test_the_command_line_reruns_itself_with_the_heap_settings(cifar_dir, tmp_path):
    env = {**os.environ, "OPENBLAS_THREAD_TIMEOUT": "4"}
    for name in ("MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "cs231n_utils.train_numpy", "--quick", "--no-progress", "--notebooks", str(NOTEBOOKS),
         "--data-dir", str(cifar_dir), "--out", str(tmp_path / "out"), "--run", "cli", "--batch-size", "50"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads((tmp_path / "out" / "cli" / "record.json").read_text())
    assert record["heap_settings"] == {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(1 << 36)}
    assert "test accuracy" in done.stdout


def test_a_layer_list_that_is_not_one_is_a_clear_error(capsys):
    with pytest.raises(SystemExit):
        main(["--layers", "32,maxpool", "--keep-allocator"])
    assert "'pool'" in capsys.readouterr().err


@pytest.mark.realdata
def test_quick_run_on_the_real_data(real_data_dir, tmp_path):
    if not real_data_dir:
        pytest.skip("CS231N_DATA is not set")
    main(["--quick", "--keep-allocator", "--no-progress", "--notebooks", str(NOTEBOOKS),
          "--data-dir", real_data_dir, "--out", str(tmp_path), "--batch-size", "50"])
    check_quick_record(run_record.read_run_record(tmp_path / "numpy-convnet-quick" / "record.json"))
