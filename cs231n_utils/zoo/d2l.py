"""The classic CNNs of *Dive into Deep Learning* (Zhang et al., d2l.ai), chapter "Modern
Convolutional Neural Networks" and LeNet before it, with d2l's layer sizes.

The code is this course's own; the facts (layers, sizes, input resolutions) are d2l's.
Like d2l, the networks read 1-channel Fashion-MNIST images, upsampled to the resolution
each one needs, and output 10 class scores: LeNet and LeNet with batch norm take 28x28,
AlexNet, VGG-11 and NiN 224x224, GoogLeNet, ResNet-18 and DenseNet 96x96 (d2l shrinks
these three from 224 to train them quickly; their global average pool accepts either).

Every builder returns an ``nn.Sequential`` whose top-level children are what d2l's
layer-by-layer printout shows: single layers for LeNet, AlexNet and NiN blocks, stages
for the deeper networks.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from .blocks import BasicBlock

__all__ = ["lenet", "alexnet", "vgg11", "nin", "googlenet", "lenet_bn", "resnet18", "densenet",
           "VGG11_ARCH", "Inception", "DenseBlock"]

# VGG-11 (configuration A of Simonyan & Zisserman): (number of 3x3 convolutions, channels)
# per block; each block ends with a 2x2 max pool.
VGG11_ARCH = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))


def lenet(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """LeNet-5 as d2l writes it (LeCun et al., 1998): sigmoids and average pooling.

    Input (N, 1, 28, 28); output (N, 10). Origin: d2l, "Convolutional Neural Networks (LeNet)".

    conv 5x5 1 -> 6 with padding 2 (keeps 28x28, as LeNet's original 32x32 input would
    have been), sigmoid, 2x2 average pool (-> 14), conv 5x5 6 -> 16 (-> 10), sigmoid,
    2x2 average pool (-> 5), flatten 400, linear 400 -> 120 -> 84 -> 10 with sigmoids.
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
        nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, num_classes),
    )


def lenet_bn(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """LeNet with batch norm after every convolution and hidden linear layer, as d2l.

    Input (N, 1, 28, 28); output (N, 10). Origin: d2l, "Batch Normalization" (Ioffe &
    Szegedy, 2015).

    Unlike :func:`lenet` the first convolution has no padding: 28 -> 24 -> pool 12 -> 8
    -> pool 4, so the flattened features have 16*4*4 = 256 entries. Each normalisation
    sits between its layer and the sigmoid.
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5), nn.BatchNorm2d(6), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
        nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, num_classes),
    )


def alexnet(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """AlexNet (Krizhevsky et al., 2012) as d2l writes it, in one column.

    Input (N, 1, 224, 224); output (N, 10). Origin: d2l, "Deep Convolutional Neural
    Networks (AlexNet)".

    conv 11x11 stride 4 padding 1, 96 channels (224 -> 54), 3x3 max pool stride 2 (-> 26);
    conv 5x5 padding 2, 256 (-> 26), pool (-> 12); three conv 3x3 padding 1 of 384, 384
    and 256 channels, pool (-> 5); flatten 256*5*5 = 6400; linear 6400 -> 4096 -> 4096
    -> 10 with ReLU and dropout 0.5 after the two hidden layers. ReLU after every
    convolution. The linear layer fixes the input at 224x224.
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, 96, 11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(3, stride=2),
        nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(),
        nn.MaxPool2d(3, stride=2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(3, stride=2),
        nn.Flatten(),
        nn.Linear(256 * 5 * 5, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, num_classes),
    )


def vgg_block(num_convs: int, in_channels: int, out_channels: int) -> nn.Sequential:
    """``num_convs`` x (conv 3x3 padding 1 + ReLU), then 2x2 max pool: (N, C_in, H, W) ->
    (N, C_out, H // 2, W // 2)."""
    layers: list[nn.Module] = []
    for _ in range(num_convs):
        layers += [nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU()]
        in_channels = out_channels
    layers.append(nn.MaxPool2d(2, stride=2))
    return nn.Sequential(*layers)


def vgg11(conv_arch: Sequence[tuple[int, int]] = VGG11_ARCH, in_channels: int = 1, num_classes: int = 10,
          fc_width: int = 4096, image_size: int = 224) -> nn.Sequential:
    """VGG built from its ``conv_arch``, by default VGG-11 (Simonyan & Zisserman, 2015), as d2l.

    Input (N, 1, 224, 224); output (N, 10). Origin: d2l, "Networks Using Blocks (VGG)".

    One :func:`vgg_block` per ``(num_convs, channels)`` of ``conv_arch``; five blocks halve
    224 five times to 7, so the flattened features have 512*7*7 = 25088 entries; then
    linear -> 4096 -> 4096 -> 10 with ReLU and dropout 0.5 after the hidden layers.
    ``fc_width`` and ``image_size`` (the input's side, which sizes the first linear layer)
    exist to build smaller variants, as d2l trains one with a quarter of the channels.
    """
    blocks: list[nn.Module] = []
    channels = in_channels
    for num_convs, out_channels in conv_arch:
        blocks.append(vgg_block(num_convs, channels, out_channels))
        channels = out_channels
    side = image_size // 2 ** len(conv_arch)
    if side < 1:
        raise ValueError(f"image_size {image_size} is too small for {len(conv_arch)} 2x2 poolings")
    return nn.Sequential(
        *blocks,
        nn.Flatten(),
        nn.Linear(channels * side * side, fc_width), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(fc_width, fc_width), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(fc_width, num_classes),
    )


def nin_block(in_channels: int, out_channels: int, kernel_size: int, stride: int, padding: int) -> nn.Sequential:
    """A k x k convolution followed by two 1x1 convolutions (per-pixel fully connected
    layers), each with ReLU: (N, C_in, H, W) -> (N, C_out, H', W'),
    H' = (H + 2 padding - kernel_size) // stride + 1."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, 1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, 1), nn.ReLU(),
    )


def nin(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """Network in Network (Lin et al., 2014) as d2l writes it: no fully connected layers.

    Input (N, 1, 224, 224); output (N, 10). Origin: d2l, "Network in Network (NiN)".

    NiN blocks with AlexNet's first three convolution shapes (11x11 stride 4 -> 96,
    5x5 padding 2 -> 256, 3x3 padding 1 -> 384), each followed by a 3x3 max pool of
    stride 2; dropout 0.5; a last NiN block with one channel per class; global average
    pool and flatten. The global pool makes any input from 96x96 up work as well.
    """
    return nn.Sequential(
        nin_block(in_channels, 96, 11, stride=4, padding=0), nn.MaxPool2d(3, stride=2),
        nin_block(96, 256, 5, stride=1, padding=2), nn.MaxPool2d(3, stride=2),
        nin_block(256, 384, 3, stride=1, padding=1), nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        nin_block(384, num_classes, 3, stride=1, padding=1),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
    )


class Inception(nn.Module):
    """GoogLeNet's Inception block (Szegedy et al., 2015): four parallel paths, concatenated.

    x: (N, C_in, H, W) -> (N, c1 + c2[1] + c3[1] + c4, H, W). The paths are
    1x1 conv (c1); 1x1 conv (c2[0]) -> 3x3 conv (c2[1]); 1x1 conv (c3[0]) -> 5x5 conv
    (c3[1]); 3x3 max pool (stride 1) -> 1x1 conv (c4); every convolution is followed by
    ReLU and padded to keep H and W. The 1x1 convolutions before the 3x3 and 5x5 ones
    reduce the channels they must process. ``out_channels`` is the concatenated width,
    e.g. 64 + 128 + 32 + 32 = 256 for GoogLeNet's first block.
    """

    def __init__(self, in_channels: int, c1: int, c2: tuple[int, int], c3: tuple[int, int], c4: int):
        super().__init__()
        self.path1 = nn.Sequential(nn.Conv2d(in_channels, c1, 1), nn.ReLU())
        self.path2 = nn.Sequential(nn.Conv2d(in_channels, c2[0], 1), nn.ReLU(),
                                   nn.Conv2d(c2[0], c2[1], 3, padding=1), nn.ReLU())
        self.path3 = nn.Sequential(nn.Conv2d(in_channels, c3[0], 1), nn.ReLU(),
                                   nn.Conv2d(c3[0], c3[1], 5, padding=2), nn.ReLU())
        self.path4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1),
                                   nn.Conv2d(in_channels, c4, 1), nn.ReLU())
        self.out_channels = c1 + c2[1] + c3[1] + c4

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.path1(x), self.path2(x), self.path3(x), self.path4(x)], dim=1)


# GoogLeNet's Inception blocks, stage by stage: (c1, c2, c3, c4) of each block. Every stage
# but the last ends with a 3x3 max pool of stride 2.
GOOGLENET_INCEPTIONS = (
    ((64, (96, 128), (16, 32), 32), (128, (128, 192), (32, 96), 64)),
    ((192, (96, 208), (16, 48), 64), (160, (112, 224), (24, 64), 64), (128, (128, 256), (24, 64), 64),
     (112, (144, 288), (32, 64), 64), (256, (160, 320), (32, 128), 128)),
    ((256, (160, 320), (32, 128), 128), (384, (192, 384), (48, 128), 128)),
)


def googlenet(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """GoogLeNet (Szegedy et al., 2015) as d2l writes it: five stages and a linear layer.

    Input (N, 1, 96, 96); output (N, 10). Origin: d2l, "Multi-Branch Networks (GoogLeNet)".

    b1: conv 7x7 stride 2 padding 3 -> 64, ReLU, 3x3 max pool stride 2 padding 1;
    b2: conv 1x1 64, ReLU, conv 3x3 padding 1 -> 192, ReLU, max pool; b3, b4, b5: two,
    five and two :class:`Inception` blocks (``GOOGLENET_INCEPTIONS``), a max pool after
    b3 and b4, global average pool and flatten after b5; linear 1024 -> 10. Each block's
    input width is the previous block's ``out_channels``: the 256 entering the second
    block is 64 + 128 + 32 + 32.
    """
    b1 = nn.Sequential(nn.Conv2d(in_channels, 64, 7, stride=2, padding=3), nn.ReLU(),
                       nn.MaxPool2d(3, stride=2, padding=1))
    b2 = nn.Sequential(nn.Conv2d(64, 64, 1), nn.ReLU(), nn.Conv2d(64, 192, 3, padding=1), nn.ReLU(),
                       nn.MaxPool2d(3, stride=2, padding=1))
    stages: list[nn.Module] = [b1, b2]
    channels = 192
    for index, stage in enumerate(GOOGLENET_INCEPTIONS):
        blocks: list[nn.Module] = []
        for c1, c2, c3, c4 in stage:
            blocks.append(Inception(channels, c1, c2, c3, c4))
            channels = blocks[-1].out_channels
        if index < len(GOOGLENET_INCEPTIONS) - 1:
            blocks.append(nn.MaxPool2d(3, stride=2, padding=1))
        else:
            blocks += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        stages.append(nn.Sequential(*blocks))
    return nn.Sequential(*stages, nn.Linear(channels, num_classes))


def _d2l_stem(in_channels: int) -> nn.Sequential:
    """ResNet's and DenseNet's first stage in d2l: conv 7x7 stride 2 padding 3 -> 64,
    BatchNorm2d, ReLU, 3x3 max pool stride 2 padding 1 (H -> H / 4)."""
    return nn.Sequential(nn.Conv2d(in_channels, 64, 7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
                         nn.MaxPool2d(3, stride=2, padding=1))


def resnet18(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """ResNet-18 (He et al., 2016) as d2l writes it.

    Input (N, 1, 96, 96); output (N, 10). Origin: d2l, "Residual Networks (ResNet) and
    ResNeXt".

    The stem (:func:`_d2l_stem`), then four stages of two residual blocks with 64, 128,
    256 and 512 channels; the first block of every stage but the first has stride 2 and a
    1x1 convolution on its shortcut. d2l's blocks keep the convolution biases and put no
    batch norm after the 1x1 shortcut (:class:`~cs231n_utils.zoo.blocks.BasicBlock` with
    ``conv_bias=True, shortcut_bn=False``). Global average pool, flatten, linear 512 -> 10.
    18 = 1 stem conv + 4 stages x 2 blocks x 2 convs + 1 linear layer.
    """
    stages: list[nn.Module] = [_d2l_stem(in_channels)]
    channels = 64
    for index, width in enumerate((64, 128, 256, 512)):
        stride = 1 if index == 0 else 2
        stages.append(nn.Sequential(
            BasicBlock(channels, width, stride=stride, conv_bias=True, shortcut_bn=False),
            BasicBlock(width, width, conv_bias=True, shortcut_bn=False),
        ))
        channels = width
    return nn.Sequential(*stages, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, num_classes))


def _bn_relu_conv(in_channels: int, out_channels: int, kernel_size: int) -> nn.Sequential:
    """DenseNet's pre-activation convolution: BatchNorm2d, ReLU, conv (same padding)."""
    return nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(),
                         nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2))


class DenseBlock(nn.Module):
    """DenseNet's dense block (Huang et al., 2017): each convolution sees every earlier output.

    x: (N, C, H, W) -> (N, C + num_convs * growth_rate, H, W). Convolution i is a
    BatchNorm2d-ReLU-conv 3x3 from C + i * growth_rate channels to ``growth_rate``; its
    output is concatenated to its input along the channels.
    """

    def __init__(self, num_convs: int, in_channels: int, growth_rate: int):
        super().__init__()
        self.convs = nn.ModuleList(
            _bn_relu_conv(in_channels + i * growth_rate, growth_rate, 3) for i in range(num_convs))
        self.out_channels = in_channels + num_convs * growth_rate

    def forward(self, x: Tensor) -> Tensor:
        for conv in self.convs:
            x = torch.cat([x, conv(x)], dim=1)
        return x


def densenet(in_channels: int = 1, num_classes: int = 10, growth_rate: int = 32,
             convs_per_block: Sequence[int] = (4, 4, 4, 4)) -> nn.Sequential:
    """DenseNet (Huang et al., 2017) as d2l writes it.

    Input (N, 1, 96, 96); output (N, 10). Origin: d2l, "Densely Connected Networks (DenseNet)".

    The stem (:func:`_d2l_stem`, 64 channels), then four :class:`DenseBlock` of four
    convolutions with growth rate 32. Between blocks a transition layer (BatchNorm2d,
    ReLU, 1x1 conv halving the channels, 2x2 average pool) keeps the width and the
    resolution in check. Then BatchNorm2d, ReLU, global average pool, flatten, linear.
    """
    layers: list[nn.Module] = [_d2l_stem(in_channels)]
    channels = 64
    for index, num_convs in enumerate(convs_per_block):
        layers.append(DenseBlock(num_convs, channels, growth_rate))
        channels = layers[-1].out_channels
        if index < len(convs_per_block) - 1:
            layers.append(nn.Sequential(*_bn_relu_conv(channels, channels // 2, 1), nn.AvgPool2d(2, stride=2)))
            channels //= 2
    return nn.Sequential(*layers, nn.BatchNorm2d(channels), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(channels, num_classes))
