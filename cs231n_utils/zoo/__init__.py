"""The course's PyTorch model zoo: every network the course trains, built by name.

Each model is a plain ``nn.Module`` (an ``nn.Sequential`` of layers or stages) built by a
function whose docstring gives its structure, input shape and origin:

- :mod:`~cs231n_utils.zoo.seed`: the seed notebooks' MNIST net, VGG-style and LeNet-style
  CIFAR-10 nets and three-stage ResNets, with the parameter counts the seed reports;
- :mod:`~cs231n_utils.zoo.d2l`: d2l's LeNet, AlexNet, VGG-11, NiN, GoogLeNet, LeNet with
  batch norm, ResNet-18 and DenseNet on 1-channel Fashion-MNIST-sized inputs;
- :mod:`~cs231n_utils.zoo.cifar`: VGG-A with and without batch norm, and ResNet-18 for
  CIFAR-10.

The registry (:mod:`~cs231n_utils.zoo.registry`) maps names to those builders::

    from cs231n_utils.zoo import MODELS, build_model, count_parameters, layer_shapes
    model = build_model("cifar_resnet")           # x: (N, 3, 32, 32) -> (N, 10)
    MODELS["cifar_resnet"].input_shape             # (3, 32, 32)

On the command line, ``python -m cs231n_utils.zoo --list`` prints every model with its
parameter count and input shape, and ``python -m cs231n_utils.zoo --shapes NAME`` its
layer-by-layer output shapes.
"""

from .registry import MODELS, ModelSpec, UnknownModelError, build_model, count_parameters, get_spec, layer_shapes

__all__ = ["MODELS", "ModelSpec", "UnknownModelError", "build_model", "count_parameters", "get_spec",
           "layer_shapes"]
