"""The networks of the course's seed notebooks, with the parameter counts the seed reports.

Every builder returns an ``nn.Sequential`` whose top-level children are the layers (or
stages) that :func:`cs231n_utils.zoo.layer_shapes` prints. Where the seed did not spell
out a detail, the choice made here is the one that reproduces the seed's parameter count
exactly, and the docstring says so.
"""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from .blocks import BasicBlock

__all__ = ["mnist_cnn", "cifar_vgg", "cifar_lenet", "cifar_resnet"]


def mnist_cnn(in_channels: int = 1, num_classes: int = 10, dropout: float = 0.5) -> nn.Sequential:
    """The seed's MNIST network.

    Input (N, 1, 28, 28); output (N, 10) class scores. Origin: the seed's MNIST notebook.

    Two blocks of conv 3x3 (padding 1) + ReLU + 2x2 max pool, 1 -> 32 -> 64 channels, take
    28x28 to 14x14 to 7x7; then linear 64*7*7 = 3136 -> 128, ReLU, dropout, linear 128 -> 10.
    """
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(in_channels, 32, 3, padding=1)),
        ("relu1", nn.ReLU()),
        ("pool1", nn.MaxPool2d(2)),                   # (N, 32, 14, 14)
        ("conv2", nn.Conv2d(32, 64, 3, padding=1)),
        ("relu2", nn.ReLU()),
        ("pool2", nn.MaxPool2d(2)),                   # (N, 64, 7, 7)
        ("flatten", nn.Flatten()),                    # (N, 3136)
        ("fc1", nn.Linear(64 * 7 * 7, 128)),
        ("relu3", nn.ReLU()),
        ("dropout", nn.Dropout(dropout)),
        ("fc2", nn.Linear(128, num_classes)),
    ]))


def cifar_vgg(in_channels: int = 3, num_classes: int = 10, batchnorm: bool = True,
              dropout: float = 0.3) -> nn.Sequential:
    """The seed's VGG-style CIFAR-10 network, with switches for batch norm and dropout.

    Input (N, 3, 32, 32); output (N, 10). Origin: the seed's CIFAR-10 notebook.

    Three stages of two conv 3x3 (padding 1) [+ BatchNorm2d] + ReLU, then 2x2 max pool:
    64-64-pool-128-128-pool-256-256-pool takes 32x32 to 4x4, so the flattened features
    have 256*4*4 = 4096 entries; then linear 4096 -> 512 [+ BatchNorm1d], ReLU,
    dropout(``dropout``), linear 512 -> 10.

    ``batchnorm=False`` removes every batch norm layer. A convolution or linear layer
    followed by batch norm has no bias: batch norm subtracts the per-channel mean, which
    cancels any constant the layer adds, and its own shift plays the bias's part (the
    seed's ResNets count their parameters the same way). Without batch norm the biases
    come back.
    """
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    channels = in_channels
    for stage, width in enumerate((64, 128, 256), start=1):
        for i in (1, 2):
            layers[f"conv{stage}_{i}"] = nn.Conv2d(channels, width, 3, padding=1, bias=not batchnorm)
            if batchnorm:
                layers[f"bn{stage}_{i}"] = nn.BatchNorm2d(width)
            layers[f"relu{stage}_{i}"] = nn.ReLU()
            channels = width
        layers[f"pool{stage}"] = nn.MaxPool2d(2)
    layers["flatten"] = nn.Flatten()                  # (N, 256 * 4 * 4)
    layers["fc1"] = nn.Linear(channels * 4 * 4, 512, bias=not batchnorm)
    if batchnorm:
        layers["bn_fc1"] = nn.BatchNorm1d(512)
    layers["relu_fc1"] = nn.ReLU()
    layers["dropout"] = nn.Dropout(dropout)
    layers["fc2"] = nn.Linear(512, num_classes)
    return nn.Sequential(layers)


def cifar_lenet(in_channels: int = 3, num_classes: int = 10) -> nn.Sequential:
    """The seed's LeNet-style CIFAR-10 network (62,006 parameters, as the seed reports).

    Input (N, 3, 32, 32); output (N, 10). Origin: the seed's CIFAR-10 notebook, after
    LeNet-5 (LeCun et al., 1998) with ReLU and max pooling.

    conv 5x5 3 -> 6 (32 -> 28), ReLU, 2x2 max pool (-> 14), conv 5x5 6 -> 16 (-> 10),
    ReLU, 2x2 max pool (-> 5), flatten 16*5*5 = 400, linear 400 -> 120 -> 84 -> 10 with
    ReLUs between.
    """
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(in_channels, 6, 5)),
        ("relu1", nn.ReLU()),
        ("pool1", nn.MaxPool2d(2)),                   # (N, 6, 14, 14)
        ("conv2", nn.Conv2d(6, 16, 5)),
        ("relu2", nn.ReLU()),
        ("pool2", nn.MaxPool2d(2)),                   # (N, 16, 5, 5)
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(16 * 5 * 5, 120)),
        ("relu3", nn.ReLU()),
        ("fc2", nn.Linear(120, 84)),
        ("relu4", nn.ReLU()),
        ("fc3", nn.Linear(84, num_classes)),
    ]))


def cifar_resnet(blocks_per_stage: int = 2, in_channels: int = 3, num_classes: int = 10,
                 widths: tuple[int, ...] = (32, 64, 128), stem_width: int = 16) -> nn.Sequential:
    """The seed's three-stage CIFAR-10 ResNet with batch norm.

    Input (N, 3, 32, 32); output (N, 10). Origin: the seed's CIFAR-10 ResNet notebook,
    after He et al. (2016).

    - stem: conv 3x3 3 -> 16 (padding 1, no bias), BatchNorm2d, ReLU;
    - three stages of 32, 64 and 128 channels, each ``blocks_per_stage`` basic blocks
      (:class:`~cs231n_utils.zoo.blocks.BasicBlock`: two 3x3 convolutions without bias,
      each with BatchNorm2d). The first block of every stage has stride 2 and a 1x1
      convolution (no bias) + BatchNorm2d on its shortcut, so 32x32 becomes 16, 8, 4;
    - global average pool, flatten, linear 128 -> 10.

    ``blocks_per_stage=2`` (the registry's ``cifar_resnet``, blocks in pairs) gives the
    seed's 692,122 parameters and ``blocks_per_stage=3`` (``cifar_resnet_deep``) its
    1,080,090. Both counts need bias-free convolutions and batch norm on the projection
    shortcuts; the strides change no count.
    """
    if blocks_per_stage < 1:
        raise ValueError(f"blocks_per_stage must be at least 1, got {blocks_per_stage!r}")
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    layers["stem"] = nn.Sequential(
        nn.Conv2d(in_channels, stem_width, 3, padding=1, bias=False),
        nn.BatchNorm2d(stem_width),
        nn.ReLU(),
    )
    channels = stem_width
    for stage, width in enumerate(widths, start=1):
        blocks = [BasicBlock(channels, width, stride=2)]
        blocks += [BasicBlock(width, width) for _ in range(blocks_per_stage - 1)]
        layers[f"stage{stage}"] = nn.Sequential(*blocks)
        channels = width
    layers["pool"] = nn.AdaptiveAvgPool2d(1)           # (N, 128, 1, 1)
    layers["flatten"] = nn.Flatten()
    layers["fc"] = nn.Linear(channels, num_classes)
    return nn.Sequential(layers)
