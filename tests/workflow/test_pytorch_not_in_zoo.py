"""No exercise of the PyTorch assignment is answered by the course's own package.

`cs231n_utils` holds a residual block and an Inception block (the zoo) and an `evaluate`
(the trainer). The exercises of `solutions/pytorch/` ask for other things: a bottleneck
block where the zoo has the basic block, a factorised Inception block with batch norm and
average pooling where the zoo has GoogLeNet's, an `evaluate` of batches where the trainer
evaluates its own `DeviceImages`, and a CIFAR-10 design that must contain one of the
student's blocks. The tests here prove it from the package's contents, in seconds; the
catalogue (`tests/catalogue/pytorch_basics.py`, `pytorch_design.py`) also submits the
zoo's pieces through `nbgrader autograde` and shows that they lose the cells.
"""

import ast
import importlib
import inspect
import os
import pkgutil

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # torch next to numpy: idle BLAS threads must sleep

import nbformat
import pytest
import torch
from torch import nn

import cs231n_utils
from cs231n_utils import train as trainer
from cs231n_utils.notebook_import import load_notebook
from cs231n_utils.zoo import MODELS, count_parameters
from cs231n_utils.zoo.blocks import BasicBlock
from cs231n_utils.zoo.d2l import Inception
from nbgrader_course import SOLUTIONS

BASICS = SOLUTIONS / "pytorch" / "01_pytorch_basics.ipynb"
DESIGN = SOLUTIONS / "pytorch" / "02_cifar10_design.ipynb"

# What the students write: the names of the solution cells' functions and classes.
EXERCISES = ("two_layer_fc", "three_layer_convnet", "kaiming_weight", "bare_sgd_step", "TwoLayerFC",
             "ThreeLayerConvNet", "sequential_convnet", "BatchNorm2dScratch", "train_one_epoch", "evaluate",
             "Bottleneck", "conv_bn_relu", "InceptionBlock", "build_design_net", "design_optimizer")

# (in, mid, out, stride) of the Bottleneck cases and the Inception configurations the tests use.
BOTTLENECKS = [(16, 4, 16, 1), (8, 4, 16, 2), (12, 3, 24, 1), (6, 2, 6, 2), (4, 8, 4, 1), (5, 3, 7, 3)]
INCEPTIONS = [(96, 32, 48, 64, 8, 16, 16), (3, 2, 4, 5, 1, 3, 2), (8, 1, 2, 2, 2, 2, 1), (10, 4, 4, 4, 4, 4, 4)]


@pytest.fixture(scope="module")
def reference():
    """The reference solutions of notebook 1, run from the source notebook."""
    return load_notebook(BASICS)


def package_modules():
    """Every module of cs231n_utils, imported."""
    names = [m.name for m in pkgutil.walk_packages(cs231n_utils.__path__, "cs231n_utils.")]
    return [importlib.import_module(name) for name in names if not name.endswith("__main__")]


def solution_names(path):
    """Top-level functions and classes of the solution cells of a notebook, read without running them."""
    names = set()
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            names |= {n.name for n in ast.parse(cell.source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    return names


def test_the_list_of_exercises_is_complete():
    assert set(EXERCISES) == solution_names(BASICS) | solution_names(DESIGN), "EXERCISES is out of date"


def test_no_module_of_the_package_defines_an_exercise_except_the_trainers_evaluate():
    found = {(module.__name__, name) for module in package_modules() for name in EXERCISES
             if getattr(module, name, None) is not None and getattr(getattr(module, name), "__module__", None) == module.__name__}
    assert found == {("cs231n_utils.train", "evaluate")}, f"exercises defined in cs231n_utils: {sorted(found)}"


def test_the_trainers_evaluate_takes_device_images_not_batches(reference):
    assert list(inspect.signature(reference.evaluate).parameters) == ["model", "batches"]
    assert "data" in inspect.signature(trainer.evaluate).parameters
    batches = [(torch.randn(2, 3), torch.tensor([0, 1]))]
    with pytest.raises(AttributeError):
        trainer.evaluate(nn.Linear(3, 2), batches)


@pytest.mark.parametrize("c_in, mid, c_out, stride", BOTTLENECKS)
def test_the_zoos_basic_block_is_not_the_bottleneck(reference, c_in, mid, c_out, stride):
    wanted = count_parameters(reference.Bottleneck(c_in, mid, c_out, stride=stride))
    for conv_bias in (False, True):
        for shortcut_bn in (False, True):
            block = BasicBlock(c_in, c_out, stride=stride, conv_bias=conv_bias, shortcut_bn=shortcut_bn)
            assert count_parameters(block) != wanted, (conv_bias, shortcut_bn)
            assert not hasattr(block, "conv3"), "the zoo's basic block has a third convolution"


@pytest.mark.parametrize("config", INCEPTIONS)
def test_the_zoos_inception_is_not_the_exercises(reference, config):
    c_in, c1, c3_reduce, c3, c5_reduce, c5, pool_proj = config
    ours = reference.InceptionBlock(*config)
    zoo = Inception(c_in, c1, (c3_reduce, c3), (c5_reduce, c5), pool_proj)
    assert zoo.out_channels == ours.out_channels  # same channel arithmetic ...
    assert count_parameters(zoo) != count_parameters(ours)  # ... other layers
    with pytest.raises(TypeError):
        Inception(*config)  # and not the exercise's signature


def test_no_zoo_model_holds_a_bottleneck_or_a_factorised_inception_block():
    for name, spec in MODELS.items():
        with torch.device("meta"):
            model = spec.build()
        for module in model.modules():
            assert not hasattr(module, "conv3"), f"{name}: {type(module).__name__} has a third convolution"
            if isinstance(module, Inception):
                kernels = [m.kernel_size for m in module.path3.modules() if isinstance(m, nn.Conv2d)]
                assert (5, 5) in kernels and not any(isinstance(m, nn.BatchNorm2d) for m in module.modules()), name
                assert isinstance(module.path4[0], nn.MaxPool2d), f"{name}: an Inception block that averages"


def test_every_zoo_model_breaks_a_design_rule(reference):
    """Rule 3 of notebook 2: the design contains one of the student's own blocks."""
    for name, spec in MODELS.items():
        with torch.device("meta"):
            model = spec.build()
        own = [m for m in model.modules() if isinstance(m, (reference.Bottleneck, reference.InceptionBlock))]
        assert not own, f"{name} contains {type(own[0]).__name__}"
