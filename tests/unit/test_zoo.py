"""cs231n_utils.zoo: every model's output shape, parameter count and one training step; the CLI."""

import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # torch next to numpy: idle BLAS threads must sleep

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cs231n_utils.zoo import MODELS, UnknownModelError, build_model, count_parameters, get_spec, layer_shapes
from cs231n_utils.zoo.cli import main
from cs231n_utils.zoo.d2l import GOOGLENET_INCEPTIONS, Inception

NAMES = list(MODELS)


@pytest.fixture(autouse=True)
def seeded():
    torch.manual_seed(0)


# --- hand formulas for parameter counts -------------------------------------------------------
# Written from the layer definitions, independently of the zoo's code.

def conv(k, c_in, c_out, bias=True):
    return k * k * c_in * c_out + (c_out if bias else 0)


def linear(n_in, n_out, bias=True):
    return n_in * n_out + (n_out if bias else 0)


def bn(c):
    return 2 * c  # scale and shift; the running statistics are buffers


def basic_block(c_in, c_out):
    """Two bias-free 3x3 convs with batch norm, plus a 1x1 conv + batch norm shortcut when
    the channels change."""
    count = conv(3, c_in, c_out, False) + bn(c_out) + conv(3, c_out, c_out, False) + bn(c_out)
    return count + (conv(1, c_in, c_out, False) + bn(c_out) if c_in != c_out else 0)


def seed_resnet(blocks):
    count = conv(3, 3, 16, False) + bn(16)
    c_in = 16
    for width in (32, 64, 128):
        count += basic_block(c_in, width) + (blocks - 1) * basic_block(width, width)
        c_in = width
    return count + linear(128, 10)


def seed_vgg(batchnorm):
    count, c_in = 0, 3
    for width in (64, 64, 128, 128, 256, 256):
        count += conv(3, c_in, width, bias=not batchnorm) + (bn(width) if batchnorm else 0)
        c_in = width
    count += linear(256 * 4 * 4, 512, bias=not batchnorm) + (bn(512) if batchnorm else 0)
    return count + linear(512, 10)


HAND_COUNTS = {
    "mnist_cnn": conv(3, 1, 32) + conv(3, 32, 64) + linear(64 * 7 * 7, 128) + linear(128, 10),
    "cifar_vgg": seed_vgg(batchnorm=True),
    "cifar_lenet": conv(5, 3, 6) + conv(5, 6, 16) + linear(400, 120) + linear(120, 84) + linear(84, 10),
    "cifar_resnet": seed_resnet(blocks=2),
    "cifar_resnet_deep": seed_resnet(blocks=3),
    "lenet": conv(5, 1, 6) + conv(5, 6, 16) + linear(400, 120) + linear(120, 84) + linear(84, 10),
    "lenet_bn": (conv(5, 1, 6) + bn(6) + conv(5, 6, 16) + bn(16) + linear(256, 120) + bn(120)
                 + linear(120, 84) + bn(84) + linear(84, 10)),
}

# The counts the seed notebooks report: the zoo must reproduce them exactly.
SEED_COUNTS = {"cifar_lenet": 62_006, "cifar_resnet": 692_122, "cifar_resnet_deep": 1_080_090}


@pytest.mark.parametrize("name", SEED_COUNTS)
def test_seed_counts_are_reproduced_exactly(name):
    count = count_parameters(build_model(name))
    assert count == SEED_COUNTS[name], f"{name}: {count:,} parameters, the seed reports {SEED_COUNTS[name]:,}"
    assert MODELS[name].expected_params == SEED_COUNTS[name]
    assert HAND_COUNTS[name] == SEED_COUNTS[name], "the hand formula disagrees with the seed"


@pytest.mark.parametrize("name", HAND_COUNTS)
def test_parameter_count_matches_the_hand_formula(name):
    count = count_parameters(build_model(name))
    assert count == HAND_COUNTS[name], f"{name}: {count:,} parameters, by hand {HAND_COUNTS[name]:,}"


@pytest.mark.parametrize("name", [n for n in NAMES if MODELS[n].expected_params is not None])
def test_registered_counts_hold(name):
    assert count_parameters(build_model(name)) == MODELS[name].expected_params


def test_vgg_switches():
    plain = build_model("cifar_vgg", batchnorm=False, dropout=0.5)
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in plain.modules())
    assert [m.p for m in plain.modules() if isinstance(m, nn.Dropout)] == [0.5]
    assert count_parameters(plain) == seed_vgg(batchnorm=False)
    default = build_model("cifar_vgg")
    assert [m.p for m in default.modules() if isinstance(m, nn.Dropout)] == [0.3]
    assert sum(isinstance(m, nn.BatchNorm2d) for m in default.modules()) == 6
    assert sum(isinstance(m, nn.BatchNorm1d) for m in default.modules()) == 1


def test_vgg_a_variants_differ_only_by_batch_norm():
    plain, with_bn = build_model("vgg_a"), build_model("vgg_a_bn")
    bn_params = sum(count_parameters(m) for m in with_bn.modules() if isinstance(m, nn.BatchNorm2d))
    assert count_parameters(with_bn) - count_parameters(plain) == bn_params == bn(64 + 128 + 2 * 256 + 4 * 512)
    convs = [m for m in plain.modules() if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [64, 128, 256, 256, 512, 512, 512, 512]


@pytest.mark.parametrize("name, blocks", [("cifar_resnet", 2), ("cifar_resnet_deep", 3)])
def test_seed_resnet_stages(name, blocks):
    model = build_model(name)
    for stage in ("stage1", "stage2", "stage3"):
        block_list = list(getattr(model, stage))
        assert len(block_list) == blocks
        assert block_list[0].conv1.stride == (2, 2) and not isinstance(block_list[0].shortcut, nn.Identity)
        assert all(isinstance(b.shortcut, nn.Identity) for b in block_list[1:])


def test_inception_channel_arithmetic():
    block = Inception(192, 64, (96, 128), (16, 32), 32)
    assert block.out_channels == 64 + 128 + 32 + 32 == 256
    assert block(torch.zeros(1, 192, 12, 12)).shape == (1, 256, 12, 12)
    # Each Inception block of GoogLeNet takes the previous one's concatenated width.
    model = build_model("googlenet")
    blocks = [m for m in model.modules() if isinstance(m, Inception)]
    assert len(blocks) == sum(len(stage) for stage in GOOGLENET_INCEPTIONS)
    for before, after in zip(blocks, blocks[1:]):
        assert after.path1[0].in_channels == before.out_channels


# --- every model ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_forward_shape_on_the_registered_input(name):
    spec = MODELS[name]
    model = build_model(name).eval()
    with torch.no_grad():
        out = model(torch.randn(2, *spec.input_shape))
    assert out.shape == (2, spec.num_classes)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES)
def test_overrides_change_classes_and_channels(name):
    spec = MODELS[name]
    # Shapes only: on the meta device nothing is allocated or computed.
    with torch.device("meta"):
        model = build_model(name, num_classes=7, in_channels=2).eval()
        out = model(torch.zeros(3, 2, *spec.input_shape[1:]))
    assert out.shape == (3, 7)


@pytest.mark.parametrize("name", NAMES)
def test_docstring_gives_input_shape_and_origin(name):
    spec = MODELS[name]
    doc = spec.doc
    assert f"Input (N, {', '.join(map(str, spec.input_shape))})" in doc, doc
    assert "Origin:" in doc, doc


@pytest.mark.parametrize("name", NAMES)
def test_layer_shapes_end_in_the_output_shape(name):
    shapes = layer_shapes(name)
    assert len(shapes) >= 3
    assert shapes[-1][1] == (1, MODELS[name].num_classes)


# Smaller settings for the training step where a model is slow on 2 CPU cores; every model
# still runs its registered input once, in test_forward_shape_on_the_registered_input.
TRAIN_SETTINGS = {
    # VGG-11 with an eighth of the channels and narrow hidden layers, still at 224x224.
    "vgg11": ({"conv_arch": ((1, 8), (1, 16), (2, 32), (2, 64), (2, 64)), "fc_width": 256}, None),
    # NiN's global average pool accepts 96x96, as d2l trains GoogLeNet, ResNet and DenseNet.
    "nin": ({}, (1, 96, 96)),
}


@pytest.mark.parametrize("name", NAMES)
def test_one_sgd_step_lowers_the_loss(name):
    spec = MODELS[name]
    overrides, input_shape = TRAIN_SETTINGS.get(name, ({}, None))
    model = build_model(name, **overrides).train()  # train mode: batch norm on batch statistics
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(4, *(input_shape or spec.input_shape), generator=generator)
    y = torch.randint(0, spec.num_classes, (4,), generator=generator)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    def loss():
        torch.manual_seed(2)  # the same dropout masks before and after the step
        return F.cross_entropy(model(x), y)

    before = loss()
    optimizer.zero_grad()
    before.backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not missing, f"{name}: no finite gradient for {missing}"
    optimizer.step()
    with torch.no_grad():
        after = loss()
    assert after < before, f"{name}: loss {before.item():.6f} -> {after.item():.6f}"


# --- registry and CLI -------------------------------------------------------------------------


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownModelError) as info:
        build_model("lenet6")
    message = str(info.value)
    assert "unknown model 'lenet6'" in message
    assert all(name in message for name in NAMES)
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)
    with pytest.raises(KeyError):
        get_spec("")


def test_bad_override_names_the_model():
    with pytest.raises(TypeError, match="cifar_lenet: .*dropout"):
        build_model("cifar_lenet", dropout=0.2)


def test_layer_shapes_of_a_module_restore_its_mode():
    model = build_model("lenet_bn").train()
    shapes = layer_shapes(model, (1, 28, 28), batch_size=3)
    assert model.training
    assert shapes[0] == ("Conv2d", (3, 6, 24, 24))
    assert shapes[-1] == ("Linear", (3, 10))
    with pytest.raises(ValueError, match="input_shape"):
        layer_shapes(model)


def test_cli_list(capsys):
    assert main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["model", "parameters", "input"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert list(rows) == NAMES
    for name, row in rows.items():
        with torch.device("meta"):  # VGG-11's 10^8 weights: shapes suffice to count them
            assert row[1] == f"{count_parameters(build_model(name)):,}"
        assert row[2] == "x".join(map(str, MODELS[name].input_shape))
    assert rows["cifar_resnet"][1] == "692,122"


def test_cli_shapes_lenet(capsys):
    assert main(["--shapes", "lenet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "lenet: input (1, 1, 28, 28)"
    # d2l's printout of LeNet on one 28x28 image.
    expected = [
        ("Conv2d", (1, 6, 28, 28)), ("Sigmoid", (1, 6, 28, 28)), ("AvgPool2d", (1, 6, 14, 14)),
        ("Conv2d", (1, 16, 10, 10)), ("Sigmoid", (1, 16, 10, 10)), ("AvgPool2d", (1, 16, 5, 5)),
        ("Flatten", (1, 400)), ("Linear", (1, 120)), ("Sigmoid", (1, 120)), ("Linear", (1, 84)),
        ("Sigmoid", (1, 84)), ("Linear", (1, 10)),
    ]
    assert [(line.split()[0], line.split("output shape: ")[1]) for line in lines[1:]] == \
        [(label, str(shape)) for label, shape in expected]


def test_cli_shapes_with_another_input(capsys):
    assert main(["--shapes", "resnet18", "--input", "1", "224", "224"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "resnet18: input (1, 1, 224, 224)"
    assert lines[1].endswith("(1, 64, 56, 56)")


@pytest.mark.parametrize("argv, message", [
    (["--shapes", "nope"], "unknown model 'nope'"),
    (["--shapes", "alexnet", "--input", "1", "96", "96"], "alexnet on input (1, 96, 96)"),
    ([], "one of the arguments --list --shapes is required"),
])
def test_cli_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err
