"""CIFAR-10 networks from the papers: VGG-A for the loss-landscape experiment, and
ResNet-18 adapted to 32x32 images as the course's strong baseline.
"""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from .blocks import BasicBlock

__all__ = ["VGG_A_ARCH", "vgg_a", "resnet18_cifar"]

# Configuration A of Simonyan & Zisserman (2015), Table 1 (VGG-11): channels of the 3x3
# convolutions, "M" a 2x2 max pool.
VGG_A_ARCH = (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M")


def vgg_a(batchnorm: bool = False, in_channels: int = 3, num_classes: int = 10) -> nn.Sequential:
    """VGG-A on CIFAR-10, with or without batch norm, for the loss-landscape experiment.

    Input (N, 3, 32, 32); output (N, 10). Origin: configuration A of Simonyan & Zisserman
    (2015); with and without batch norm on CIFAR-10 as in Santurkar et al. (2018), "How
    does batch normalization help optimization?".

    ``features``: the eight 3x3 convolutions (padding 1) of ``VGG_A_ARCH``, each followed
    by [BatchNorm2d and] ReLU, and five 2x2 max pools that take 32x32 down to 1x1.
    ``classifier``: linear 512 -> 512 -> 512 -> 10 with ReLUs, sized for that 1x1 map
    instead of the paper's 7x7 of 224x224 inputs.

    The two variants differ only by the batch norm layers: the convolutions keep their
    bias in both, so that adding batch norm changes nothing else in the network.
    """
    features: list[nn.Module] = []
    channels = in_channels
    for item in VGG_A_ARCH:
        if item == "M":
            features.append(nn.MaxPool2d(2, stride=2))
            continue
        features.append(nn.Conv2d(channels, item, 3, padding=1))
        if batchnorm:
            features.append(nn.BatchNorm2d(item))
        features.append(nn.ReLU())
        channels = item
    return nn.Sequential(OrderedDict([
        ("features", nn.Sequential(*features)),        # (N, 512, 1, 1)
        ("flatten", nn.Flatten()),
        ("classifier", nn.Sequential(
            nn.Linear(channels, 512), nn.ReLU(),
            nn.Linear(512, 512), nn.ReLU(),
            nn.Linear(512, num_classes),
        )),
    ]))


def resnet18_cifar(in_channels: int = 3, num_classes: int = 10) -> nn.Sequential:
    """ResNet-18 for CIFAR-10: the course's strong baseline.

    Input (N, 3, 32, 32); output (N, 10). Origin: He et al. (2016), ResNet-18, with the
    small-image stem common for CIFAR-10 (as in kuangliu/pytorch-cifar).

    A 32x32 image is too small for ImageNet's stem (7x7 stride 2 convolution and max
    pool, a 4x reduction), so the stem is one conv 3x3 3 -> 64 (padding 1, no bias),
    BatchNorm2d and ReLU, with no max pool. Four stages of two basic blocks
    (:class:`~cs231n_utils.zoo.blocks.BasicBlock`, bias-free convolutions with batch norm)
    with 64, 128, 256 and 512 channels; the first block of stages 2-4 has stride 2 and a
    1x1 convolution + BatchNorm2d shortcut (32 -> 16 -> 8 -> 4). Global average pool,
    flatten, linear 512 -> 10.
    """
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    layers["stem"] = nn.Sequential(nn.Conv2d(in_channels, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64),
                                   nn.ReLU())
    channels = 64
    for stage, width in enumerate((64, 128, 256, 512), start=1):
        stride = 1 if stage == 1 else 2
        layers[f"stage{stage}"] = nn.Sequential(BasicBlock(channels, width, stride=stride),
                                                BasicBlock(width, width))
        channels = width
    layers["pool"] = nn.AdaptiveAvgPool2d(1)
    layers["flatten"] = nn.Flatten()
    layers["fc"] = nn.Linear(channels, num_classes)
    return nn.Sequential(layers)
