"""The zoo's registry: every model by name, with its input shape, data set and origin.

    from cs231n_utils.zoo import build_model, count_parameters, layer_shapes
    model = build_model("cifar_vgg", dropout=0.5)   # a plain nn.Module
    count_parameters(model)
    layer_shapes("lenet")                           # [("Conv2d", (1, 6, 28, 28)), ...]
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from . import cifar, d2l, seed

__all__ = ["ModelSpec", "MODELS", "UnknownModelError", "get_spec", "build_model", "count_parameters",
           "layer_shapes", "model_and_input"]


@dataclass(frozen=True)
class ModelSpec:
    """How to build one model and what it expects.

    ``build(**overrides)`` returns a fresh ``nn.Module`` mapping (N, *input_shape) to
    (N, num_classes). ``expected_params`` is the parameter count a source reports for
    the default build (None where no source gives one); the tests hold the zoo to it.
    """

    name: str
    build: Callable[..., nn.Module]
    input_shape: tuple[int, int, int]  # (C, H, W)
    num_classes: int
    dataset: str
    origin: str
    expected_params: int | None = None

    @property
    def doc(self) -> str:
        """The builder's docstring: the model's structure, input shape and origin."""
        func = self.build.func if isinstance(self.build, functools.partial) else self.build
        return func.__doc__ or ""


_SPECS = (
    ModelSpec("mnist_cnn", seed.mnist_cnn, (1, 28, 28), 10, "MNIST", "seed: MNIST notebook"),
    ModelSpec("cifar_vgg", seed.cifar_vgg, (3, 32, 32), 10, "CIFAR-10", "seed: VGG-style net with batch norm"),
    ModelSpec("cifar_lenet", seed.cifar_lenet, (3, 32, 32), 10, "CIFAR-10", "seed: LeNet-style net",
              expected_params=62_006),
    ModelSpec("cifar_resnet", functools.partial(seed.cifar_resnet, blocks_per_stage=2), (3, 32, 32), 10,
              "CIFAR-10", "seed: ResNet, 2 blocks per stage", expected_params=692_122),
    ModelSpec("cifar_resnet_deep", functools.partial(seed.cifar_resnet, blocks_per_stage=3), (3, 32, 32), 10,
              "CIFAR-10", "seed: ResNet, 3 blocks per stage", expected_params=1_080_090),
    ModelSpec("lenet", d2l.lenet, (1, 28, 28), 10, "Fashion-MNIST", "d2l: LeNet"),
    ModelSpec("alexnet", d2l.alexnet, (1, 224, 224), 10, "Fashion-MNIST", "d2l: AlexNet"),
    ModelSpec("vgg11", d2l.vgg11, (1, 224, 224), 10, "Fashion-MNIST", "d2l: VGG-11"),
    ModelSpec("nin", d2l.nin, (1, 224, 224), 10, "Fashion-MNIST", "d2l: NiN"),
    ModelSpec("googlenet", d2l.googlenet, (1, 96, 96), 10, "Fashion-MNIST", "d2l: GoogLeNet"),
    ModelSpec("lenet_bn", d2l.lenet_bn, (1, 28, 28), 10, "Fashion-MNIST", "d2l: LeNet with batch norm"),
    ModelSpec("resnet18", d2l.resnet18, (1, 96, 96), 10, "Fashion-MNIST", "d2l: ResNet-18"),
    ModelSpec("densenet", d2l.densenet, (1, 96, 96), 10, "Fashion-MNIST", "d2l: DenseNet"),
    ModelSpec("vgg_a", functools.partial(cifar.vgg_a, batchnorm=False), (3, 32, 32), 10, "CIFAR-10",
              "Simonyan & Zisserman 2015, config A"),
    ModelSpec("vgg_a_bn", functools.partial(cifar.vgg_a, batchnorm=True), (3, 32, 32), 10, "CIFAR-10",
              "config A + batch norm (Santurkar et al. 2018)"),
    ModelSpec("resnet18_cifar", cifar.resnet18_cifar, (3, 32, 32), 10, "CIFAR-10",
              "He et al. 2016, CIFAR stem"),
)

MODELS: dict[str, ModelSpec] = {spec.name: spec for spec in _SPECS}


class UnknownModelError(KeyError, ValueError):
    """A model name the registry does not hold. Its message lists the names it does hold."""

    def __str__(self) -> str:
        # KeyError would print the repr of its argument, quotes and escaped newlines included.
        return str(self.args[0])


def get_spec(name: str) -> ModelSpec:
    """The registry entry of ``name``; :class:`UnknownModelError` lists the known names."""
    try:
        return MODELS[name]
    except (KeyError, TypeError):
        raise UnknownModelError(f"unknown model {name!r}; the zoo has: {', '.join(MODELS)}") from None


def build_model(name: str, **overrides) -> nn.Module:
    """A fresh model ``name`` from :data:`MODELS`, its builder's defaults replaced by
    ``overrides`` (e.g. ``num_classes``, ``in_channels``, ``batchnorm``, ``dropout``)."""
    spec = get_spec(name)
    try:
        return spec.build(**overrides)
    except TypeError as error:
        raise TypeError(f"{name}: {error}") from error


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of scalar parameters of ``model`` (buffers such as batch norm's running
    statistics are not parameters). Works on models built on the meta device."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def model_and_input(model: nn.Module | str, input_shape: tuple[int, ...] | None = None,
                    caller: str = "this function") -> tuple[nn.Module, tuple[int, ...]]:
    """``model`` as a module with its (C, H, W) input shape. A registered name is built on
    PyTorch's meta device (no memory, no arithmetic) with its registered input shape unless
    ``input_shape`` is given; a module needs ``input_shape``."""
    if isinstance(model, str):
        spec = get_spec(model)
        with torch.device("meta"):
            built = spec.build()
        return built, spec.input_shape if input_shape is None else tuple(input_shape)
    if input_shape is None:
        raise ValueError(f"{caller} needs input_shape for a model given as a module")
    return model, tuple(input_shape)


def _label(name: str, module: nn.Module) -> str:
    # nn.Sequential numbers its children: the class says more than "3". Named ones say both.
    kind = type(module).__name__
    return kind if name.isdigit() else f"{name} ({kind})"


def layer_shapes(model: nn.Module | str, input_shape: tuple[int, ...] | None = None,
                 batch_size: int = 1) -> list[tuple[str, tuple[int, ...]]]:
    """Output shape of each top-level child of ``model`` on a (batch_size, *input_shape)
    input, in the order they run, as d2l prints a network layer by layer.

    ``model`` is a module or a registered name; a name's default input shape is its
    registered one, and it is built on PyTorch's meta device, so no arithmetic runs and
    even VGG-11 at 224x224 answers at once. A module runs where its parameters are, in
    eval mode (batch norm then accepts a batch of 1) and without gradients; its mode is
    restored afterwards. Returns [(label, (batch_size, C', H', W') or (batch_size, F))].
    """
    model, input_shape = model_and_input(model, input_shape, caller="layer_shapes")
    device = next(model.parameters(), torch.empty(0)).device
    x = torch.zeros((batch_size, *input_shape), device=device)

    shapes: list[tuple[str, tuple[int, ...]]] = []
    hooks = []
    for name, child in model.named_children():
        def record(module, inputs, output, label=_label(name, child)):
            shapes.append((label, tuple(output.shape)))
        hooks.append(child.register_forward_hook(record))
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            out = model(x)
    finally:
        model.train(was_training)
        for hook in hooks:
            hook.remove()
    if not shapes:  # a module without children: its output is the only shape there is
        shapes.append((type(model).__name__, tuple(out.shape)))
    return shapes
