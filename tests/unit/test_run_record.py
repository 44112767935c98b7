"""cs231n_utils.run_record: machine info, writing, reading and drawing run records."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cs231n_utils import run_record
from cs231n_utils.run_record import REQUIRED_FIELDS, machine_info, read_run_record, save_curves, write_run_record

REPO = Path(__file__).resolve().parents[2]


def a_record(**changes):
    record = {
        "framework": "numpy",
        "model": "ThreeLayerConvNet",
        "dataset": "CIFAR-10",
        "test_accuracy": 0.5,
        "epochs": 2,
        "wall_seconds": 12.5,
        "images_per_second": 310.0,
        "device": "CPU: test, 2 logical cores",
        "numpy_version": np.__version__,
        "blas": "scipy-openblas 0.3.30 SkylakeX, 2 threads",
        "git_commit": "0" * 40,
        "history": [
            {"epoch": 1, "train_loss": 2.0, "train_acc": 0.3, "val_acc": 0.28, "learning_rate": 1e-3, "seconds": 6.0},
            {"epoch": 2, "train_loss": 1.6, "train_acc": 0.45, "val_acc": 0.41, "learning_rate": 1e-3, "seconds": 6.5},
        ],
    }
    record.update(changes)
    return record


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(repo), "PATH": "/usr/bin:/bin"})


# --- machine_info ---------------------------------------------------------------------------


def test_machine_info_describes_this_machine():
    info = machine_info()
    assert set(info) >= {"device", "numpy_version", "blas", "python_version", "platform", "git_commit"}
    assert re.fullmatch(r"CPU: .+, \d+ logical cores", info["device"]), info["device"]
    assert info["numpy_version"] == np.__version__
    assert info["python_version"] == ".".join(map(str, sys.version_info[:3]))
    assert "thread" in info["blas"], info["blas"]
    assert all(isinstance(v, str) for v in info.values())


def test_machine_info_reports_torch_without_importing_it():
    code = ("import sys; from cs231n_utils.run_record import machine_info; info = machine_info(); "
            "print(info.get('torch_version')); print('torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    version, imported = done.stdout.split()
    try:
        import importlib.metadata

        expected = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        expected = "None"
    assert (version, imported) == (expected, "False")


def test_blas_summary_leaves_an_imported_torch_alone(monkeypatch):
    fake = type(sys)("torch")
    fake.__version__ = "9.9"
    fake.get_num_threads = lambda: 1
    monkeypatch.setitem(sys.modules, "torch", fake)
    run_record._blas_summary()
    assert sys.modules["torch"] is fake
    assert run_record._torch_version() == "9.9"


def test_git_commit_of_this_repository_and_of_others(tmp_path):
    commit = run_record.git_commit()
    assert commit == "unknown" or re.fullmatch(r"[0-9a-f]{40}(-dirty)?", commit)
    assert run_record.git_commit(tmp_path) == "unknown"  # not a repository
    git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("1")
    git(tmp_path, "add", "a.txt")
    git(tmp_path, "commit", "-q", "-m", "one")
    clean = run_record.git_commit(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{40}", clean)
    (tmp_path / "untracked.txt").write_text("run output")
    assert run_record.git_commit(tmp_path) == clean
    (tmp_path / "a.txt").write_text("2")
    assert run_record.git_commit(tmp_path) == clean + "-dirty"


# --- writing and reading -------------------------------------------------------------------------


def test_write_then_read_round_trip(tmp_path):
    record = a_record(learning_rate=1e-3, schedule="cosine(warmup=0.05, final=0.0)")
    path = write_run_record(tmp_path / "run", record)
    assert path == tmp_path / "run" / "record.json"
    assert read_run_record(path) == record
    assert read_run_record(tmp_path / "run") == record  # the folder works too
    text = path.read_text()
    assert text.startswith('{\n  "framework": "numpy",') and text.endswith("}\n")
    keys = list(json.loads(text))
    assert keys[:11] == list(REQUIRED_FIELDS[:11])
    assert keys[11:] == ["learning_rate", "schedule", "history"]
    assert not list((tmp_path / "run").glob(".*"))  # no temporary file left


def test_writing_is_stable(tmp_path):
    write_run_record(tmp_path / "a", a_record(zeta=1, alpha=2))
    write_run_record(tmp_path / "b", dict(reversed(list(a_record(zeta=1, alpha=2).items()))))
    assert (tmp_path / "a" / "record.json").read_bytes() == (tmp_path / "b" / "record.json").read_bytes()


def test_numpy_values_and_non_finite_numbers_are_converted(tmp_path):
    record = a_record(test_accuracy=np.float32(0.25), epochs=np.int64(2), wall_seconds=np.float64(3.0),
                      extra={"array": np.arange(3), "shape": (2, 3)})
    record["history"][0]["train_loss"] = float("nan")
    back = read_run_record(write_run_record(tmp_path, record))
    assert back["test_accuracy"] == 0.25 and back["epochs"] == 2
    assert back["extra"] == {"array": [0, 1, 2], "shape": [2, 3]}
    assert back["history"][0]["train_loss"] is None


def test_values_json_cannot_hold_are_named(tmp_path):
    with pytest.raises(TypeError, match="extra.f holds a function"):
        write_run_record(tmp_path, a_record(extra={"f": lambda: 0}))
    with pytest.raises(TypeError, match="extra holds a builtin_function_or_method"):
        write_run_record(tmp_path, a_record(extra=len))


def test_missing_fields_are_all_named(tmp_path):
    record = a_record()
    del record["blas"], record["git_commit"]
    with pytest.raises(ValueError, match="missing fields: blas, git_commit"):
        write_run_record(tmp_path, record)
    assert not (tmp_path / "record.json").exists()


@pytest.mark.parametrize("changes, message", [
    ({"test_accuracy": 61.0}, "test_accuracy must be a fraction"),
    ({"test_accuracy": float("nan")}, "test_accuracy"),
    ({"test_accuracy": "0.6"}, "test_accuracy"),
    ({"epochs": 2.0}, "epochs must be an integer"),
    ({"epochs": True}, "epochs"),
    ({"wall_seconds": -1}, "wall_seconds"),
    ({"images_per_second": None}, "images_per_second"),
    ({"device": 3}, "device must be a string"),
    ({"history": {"epoch": 1}}, "history must be a list"),
    ({"history": [{"epoch": 1}, {"loss": 2.0}, 5]}, r"history entries \[1, 2\]"),
])
def test_wrong_types_are_refused(tmp_path, changes, message):
    with pytest.raises(ValueError, match=message):
        write_run_record(tmp_path, a_record(**changes))


def test_a_record_must_be_a_dict(tmp_path):
    with pytest.raises(ValueError, match="must be a dict"):
        write_run_record(tmp_path, [("framework", "numpy")])


def test_reading_a_missing_record_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no run record at .*nowhere.record\.json"):
        read_run_record(tmp_path / "nowhere" / "record.json")


def test_reading_broken_records_names_the_file_and_the_problem(tmp_path):
    path = tmp_path / "record.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match=r"record\.json is not valid JSON"):
        read_run_record(path)
    record = a_record()
    del record["history"]
    path.write_text(json.dumps(record))
    with pytest.raises(ValueError, match=r"record\.json is not a valid run record: missing fields: history"):
        read_run_record(tmp_path)


def test_a_record_with_machine_info_is_valid(tmp_path):
    record = {k: v for k, v in a_record().items() if k not in machine_info()}
    record.update(machine_info())
    assert read_run_record(write_run_record(tmp_path, record))["blas"] == record["blas"]


# --- curves -------------------------------------------------------------------------------------


def test_save_curves_writes_a_png(tmp_path):
    path = save_curves(tmp_path / "run", a_record())
    assert path == tmp_path / "run" / "curves.png"
    assert path.read_bytes().startswith(b"\x89PNG")


def test_save_curves_uses_per_iteration_losses_when_present(tmp_path):
    record = a_record(loss_history=list(np.linspace(2.3, 1.0, 200)))
    assert save_curves(tmp_path, record).stat().st_size > 1000


def test_the_record_is_readable_by_others_not_private_like_a_temporary_file(tmp_path):
    import os
    import stat

    from cs231n_utils.files import atomic_write

    path = atomic_write(tmp_path / "x.json", lambda handle: handle.write(b"{}"))
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"], "the temporary file is left behind"
