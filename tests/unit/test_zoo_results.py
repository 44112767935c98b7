"""cs231n_utils.zoo_results: records read back into tables, commands that reproduce a run,
the planned runs, the layer diagram, the loss band and the feature-map export."""

import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # torch next to numpy: idle BLAS threads must sleep

import dataclasses

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib.patches import FancyBboxPatch

from cs231n_utils import zoo_results
from cs231n_utils.device_data import DeviceImages
from cs231n_utils.run_record import write_run_record
from cs231n_utils.train import CHECKPOINT_NAME, TrainConfig, _model_kwargs, _parser, train
from cs231n_utils.zoo import MODELS, build_model, layer_shapes
from cs231n_utils.zoo_results import PENDING, PLANNED_RUNS

matplotlib.use("Agg")
torch.set_num_threads(1)


def torch_record(model="lenet", accuracy=0.8765, **config_overrides) -> dict:
    """A small but valid record as the PyTorch trainer writes it."""
    config = dataclasses.asdict(TrainConfig(model=model, dataset="mnist", epochs=2, **config_overrides))
    return {
        "framework": "torch", "model": model, "dataset": "MNIST: 60000 train, 10000 test",
        "test_accuracy": accuracy, "epochs": 2, "wall_seconds": 90.0, "images_per_second": 12345.6,
        "device": "NVIDIA Test GPU x1", "numpy_version": "2.0", "blas": "test BLAS", "torch_version": "2.13.0",
        "git_commit": "0123456789abcdef0123-dirty", "config": config,
        "history": [{"epoch": 1, "train_loss": 1.5, "train_acc": 0.5, "test_acc": 0.6},
                    {"epoch": 2, "train_loss": 0.9, "train_acc": 0.7, "test_acc": accuracy}],
    }


def parsed_config(command: str):
    """The TrainConfig fields that the trainer's own parser reads from ``command``, and its
    parsed arguments."""
    words = command.split()
    assert words[:3] == ["python", "-m", "cs231n_utils.train"]
    args = _parser().parse_args(words[3:])
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    values = {name: getattr(args, name) for name in fields if name != "model_kwargs"}
    values["model_kwargs"] = _model_kwargs(args.model_arg)
    return values, args


# --- commands ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(PLANNED_RUNS))
def test_planned_command_reads_back_as_its_config(name):
    config = PLANNED_RUNS[name].config()
    command = zoo_results.train_command(config, name)
    values, args = parsed_config(command)
    assert values == config
    assert (args.out, args.name) == ("results", name)


def test_command_spells_out_switches_subsets_and_model_arguments():
    config = dataclasses.asdict(TrainConfig(model="cifar_vgg", augment=False, tta_flip=True, train_subset=500,
                                            lr=3e-4, model_kwargs={"dropout": 0.5, "batchnorm": False}))
    command = zoo_results.train_command(config)
    assert "--no-augment" in command and "--tta-flip" in command and "--train-subset 500" in command
    assert "--lr 0.0003" in command and "--model-arg dropout=0.5" in command
    assert "--test-subset" not in command, "an unset subset must not appear"
    assert "--out" not in command, "no run name was given"
    values, _ = parsed_config(command)
    assert values == config


def test_command_needs_a_model():
    with pytest.raises(ValueError, match="model"):
        zoo_results.train_command({"dataset": "cifar10"})


# --- the plans ------------------------------------------------------------------------------------

def test_every_model_has_one_planned_zoo_run_named_as_the_trainer_would():
    zoo_plans = {name: plan for name, plan in PLANNED_RUNS.items() if plan.experiment == "zoo"}
    assert sorted(plan.model for plan in zoo_plans.values()) == sorted(MODELS)
    for name, plan in zoo_plans.items():
        assert name == f"{plan.model}-{plan.dataset}"


@pytest.mark.parametrize("name", list(PLANNED_RUNS))
def test_plans_are_valid_training_configurations(name):
    TrainConfig(**PLANNED_RUNS[name].config()).check()


def test_experiment_runs():
    landscape = zoo_results.experiment_runs("landscape")
    assert len(landscape) == 2 * len(zoo_results.LANDSCAPE_LRS)
    assert {PLANNED_RUNS[n].model for n in landscape} == {"vgg_a", "vgg_a_bn"}
    dropout = zoo_results.experiment_runs("dropout")
    assert [PLANNED_RUNS[n].model_kwargs["dropout"] for n in dropout] == list(zoo_results.DROPOUT_RATES)
    assert [PLANNED_RUNS[n].feature_maps for n in zoo_results.experiment_runs("feature-maps")] == [True]
    with pytest.raises(ValueError, match="unknown experiment"):
        zoo_results.experiment_runs("nothing")


# --- records and tables ---------------------------------------------------------------------------

@pytest.fixture
def results(tmp_path):
    """results/ with a torch run of lenet, one of a landscape run, a numpy run and a folder
    without a record."""
    root = tmp_path / "results"
    write_run_record(root / "lenet-mnist", torch_record("lenet"))
    landscape = next(iter(zoo_results.experiment_runs("landscape")))
    write_run_record(root / landscape, torch_record(PLANNED_RUNS[landscape].model, accuracy=0.5))
    numpy_record = {**torch_record("lenet"), "framework": "numpy"}
    write_run_record(root / "numpy-convnet", numpy_record)
    (root / "empty").mkdir()
    return root


def test_find_records_keeps_torch_runs_only(results):
    records = zoo_results.find_records(results)
    assert list(records) == sorted(["lenet-mnist", zoo_results.experiment_runs("landscape")[0]])
    assert records["lenet-mnist"]["test_accuracy"] == 0.8765


def test_an_invalid_record_fails_loudly(results):
    (results / "broken").mkdir()
    (results / "broken" / "record.json").write_text('{"framework": "torch"}')
    with pytest.raises(ValueError, match="broken"):
        zoo_results.find_records(results)


def test_model_rows_recorded_and_pending(results):
    records = zoo_results.find_records(results)
    rows = zoo_results.model_rows(["lenet", "lenet_bn", "vgg_a"], records)
    by_model = {}
    for row in rows:
        by_model.setdefault(row.model, []).append(row)
    (lenet,) = by_model["lenet"]
    assert not lenet.pending and lenet.run == "lenet-mnist" and lenet.test_accuracy == 0.8765
    assert lenet.command == zoo_results.train_command(records["lenet-mnist"]["config"], "lenet-mnist")
    (lenet_bn,) = by_model["lenet_bn"]
    assert lenet_bn.pending and lenet_bn.run == "lenet_bn-mnist" and lenet_bn.test_accuracy is None
    assert lenet_bn.epochs == PLANNED_RUNS["lenet_bn-mnist"].epochs
    # The landscape run of vgg_a belongs to its experiment's table, not to the model's.
    (vgg_a,) = by_model["vgg_a"]
    assert vgg_a.pending and vgg_a.run == "vgg_a-cifar10"
    with pytest.raises(KeyError, match="unknown model"):
        zoo_results.model_rows(["lenet6"], records)


def test_run_rows(results):
    records = zoo_results.find_records(results)
    names = zoo_results.experiment_runs("landscape")[:2]
    first, second = zoo_results.run_rows(names, records)
    assert not first.pending and first.test_accuracy == 0.5
    assert second.pending and second.run == names[1]
    with pytest.raises(KeyError, match="neither"):
        zoo_results.run_rows(["no-such-run"], records)


def test_markdown_table_of_recorded_and_pending_rows(results):
    table = zoo_results.results_table(["lenet", "lenet_bn"], results)
    table_part, commands_part = table.split("The command of each run:")
    lines = table_part.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("|") and line.endswith("|") for line in lines)
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == ["run", "model", "data set", "test accuracy", "epochs", "wall time", "images/s", "device",
                      "PyTorch", "git commit"]
    recorded, pending = lines[2], lines[3]
    for text in ("**87.65%**", "1.5 min", "12,346", "NVIDIA Test GPU x1", "2.13.0", "`0123456789`",
                 "uncommitted changes"):
        assert text in recorded, text
    assert PENDING in pending and "10 (planned)" in pending
    assert len(pending.split(" | ")) == len(header), "a pending row must have every column"
    # The commands follow the table, one per run, in the rows' order.
    commands = [line for line in commands_part.strip().splitlines() if line.startswith("- ")]
    assert len(commands) == 2
    assert "--model lenet --dataset mnist --epochs 2" in commands[0]
    assert "--name lenet_bn-mnist" in commands[1]


def test_markdown_table_without_records_leaves_out_the_measured_columns(tmp_path):
    table = zoo_results.results_table(["alexnet"], tmp_path)
    header = table.splitlines()[0]
    assert "wall time" not in header and "command" not in header and PENDING in table
    assert "--model alexnet" in table.split("The command of each run:")[1]


def test_table_cells_escape_pipes():
    row = zoo_results.ResultRow(run="r", model="m", dataset="a | b", command="c", pending=True, epochs=1)
    assert "a \\| b" in zoo_results.markdown_table([row])


def test_pending_commands(results):
    records = zoo_results.find_records(results)
    commands = zoo_results.pending_commands(records)
    assert not any("--name lenet-mnist" in c for c in commands)
    assert sum("--name " in c for c in commands) == len(PLANNED_RUNS) - len(records)
    export = [i for i, c in enumerate(commands) if "--export-feature-maps" in c]
    assert len(export) == 1 and "--name featuremaps-cifar_resnet" in commands[export[0] - 1]


def test_planned_commands_follow_a_feature_map_run_by_its_export():
    (name,) = zoo_results.experiment_runs("feature-maps")
    train_line, export_line = zoo_results.planned_commands([name], out="runs")
    assert train_line.endswith(f"--out runs --name {name}")
    assert export_line == f"python -m cs231n_utils.zoo_results --export-feature-maps runs/{name}"


def test_results_dir_from_the_environment(results, monkeypatch):
    monkeypatch.delenv(zoo_results.RESULTS_ENV, raising=False)
    assert zoo_results.results_dir() == zoo_results.RESULTS_DIR
    monkeypatch.setenv(zoo_results.RESULTS_ENV, str(results))
    assert zoo_results.results_dir() == results
    assert "lenet-mnist" in zoo_results.find_records()


def test_main_prints_the_pending_commands(results, capsys):
    assert zoo_results.main(["--pending", "--results", str(results)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == zoo_results.pending_commands(zoo_results.find_records(results), str(results))
    with pytest.raises(SystemExit):
        zoo_results.main(["--export-feature-maps", str(results / "empty")])


# --- figures ------------------------------------------------------------------------------------

def test_draw_layers_one_box_per_shape_changing_step():
    fig = zoo_results.draw_layers("lenet", title="LeNet")
    (ax,) = fig.axes
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    # input, conv+sigmoid, pool, conv+sigmoid, pool, flatten, 2 x (linear+sigmoid), linear
    assert len(boxes) == 9
    texts = [t.get_text() for t in ax.texts]
    assert "Conv2d · Sigmoid" in texts and "6 × 28 × 28" in texts and "10" in texts
    # Jupyter shows it as an image even where pyplot was never imported.
    assert fig._repr_png_().startswith(b"\x89PNG")
    # A module needs its input shape; containers are summarised by their children.
    with pytest.raises(ValueError, match="input_shape"):
        zoo_results.draw_layers(build_model("cifar_resnet"))
    fig = zoo_results.draw_layers(build_model("cifar_resnet"), (3, 32, 32))
    assert "stage1: BasicBlock ×2" in [t.get_text() for t in fig.axes[0].texts]


def test_loss_band_per_epoch_and_per_step():
    a, b = torch_record(), torch_record()
    b["history"] = [{"epoch": 1, "train_loss": 2.0}, {"epoch": 2, "train_loss": 0.5}, {"epoch": 3, "train_loss": 0.1}]
    x, low, high, unit = zoo_results.loss_band([a, b])
    assert unit == "epoch" and list(x) == [1, 2]
    np.testing.assert_array_equal(low, [1.5, 0.5])
    np.testing.assert_array_equal(high, [2.0, 0.9])
    a["loss_history"], b["loss_history"] = [3.0, 2.0, 1.0], [2.5, 2.5]
    x, low, high, unit = zoo_results.loss_band([a, b])
    assert unit == "step" and list(x) == [0, 1]
    np.testing.assert_array_equal(low, [2.5, 2.0])
    np.testing.assert_array_equal(high, [3.0, 2.5])
    with pytest.raises(ValueError):
        zoo_results.loss_band([])


# --- feature maps -------------------------------------------------------------------------------

def small_cifar(n_train=64, n_test=16):
    gen = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (n_train + n_test, 3, 32, 32), generator=gen, dtype=torch.uint8)
    labels = torch.arange(n_train + n_test) % 10
    return (images[:n_train], labels[:n_train]), (images[n_train:], labels[n_train:])


@pytest.fixture
def trained_run(tmp_path):
    """A one-epoch run of cifar_lenet on random images, with its record and checkpoint."""
    data = small_cifar()
    config = TrainConfig(model="cifar_lenet", epochs=1, batch_size=32, lr=0.01)
    train(config, tmp_path / "run", data=data, device="cpu", progress=False)
    return tmp_path / "run", data


def test_export_feature_maps_stores_what_the_trained_model_computes(trained_run):
    run_dir, data = trained_run
    path = zoo_results.export_feature_maps(run_dir, n_images=5, data=data)
    assert path == run_dir / zoo_results.FEATURE_MAPS_NAME
    stored = zoo_results.read_feature_maps(run_dir)
    (x_train, y_train), (x_test, y_test) = data
    np.testing.assert_array_equal(stored["images"], x_test[:5].numpy())
    np.testing.assert_array_equal(stored["labels"], y_test[:5].numpy())
    expected = [(label, shape) for label, shape in layer_shapes("cifar_lenet") if len(shape) == 4]
    assert [(label, m.shape[1:]) for label, m in stored["maps"]] == [(label, shape[1:]) for label, shape in expected]

    # Independently: the checkpoint's weights, the trainer's own normalisation.
    model = build_model("cifar_lenet")
    model.load_state_dict(torch.load(run_dir / CHECKPOINT_NAME, weights_only=True)["model"])
    model.eval()
    train_set = DeviceImages.create(x_train, y_train, torch.device("cpu"))
    x = train_set.normalise(x_test[:5])
    with torch.no_grad():
        conv1 = model.conv1(x)
        logits = model(x)
    np.testing.assert_allclose(stored["maps"][0][1], conv1.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(stored["predictions"], logits.argmax(1).numpy())


def test_export_refuses_weights_that_are_not_the_recorded_ones(trained_run):
    run_dir, data = trained_run
    state = torch.load(run_dir / CHECKPOINT_NAME, weights_only=True)
    state["epoch"] = 0
    torch.save(state, run_dir / CHECKPOINT_NAME)
    with pytest.raises(ValueError, match="not the recorded weights"):
        zoo_results.export_feature_maps(run_dir, data=data)


def test_read_feature_maps_without_an_export(tmp_path):
    assert zoo_results.read_feature_maps(tmp_path) is None
