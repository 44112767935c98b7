"""The residual block shared by the zoo's ResNets.

Both the seed's CIFAR-10 ResNets and ResNet-18 for CIFAR-10 use the same *basic block*
(He et al., 2016): two 3x3 convolutions, each followed by batch norm, added to a
shortcut, then a ReLU. d2l's ResNet-18 uses the same block with two differences, which
are switches here rather than a second class: its convolutions keep their bias, and its
1x1 shortcut convolution has no batch norm after it.
"""

from __future__ import annotations

from torch import Tensor, nn

__all__ = ["BasicBlock"]


class BasicBlock(nn.Module):
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).

    x: (N, C_in, H, W) -> (N, C_out, H', W') with H' = (H - 1) // stride + 1 (3x3
    convolutions with padding 1; W' likewise).

    The shortcut is the identity when shapes agree; otherwise (``stride != 1`` or
    ``C_in != C_out``) a 1x1 convolution with the same stride, followed by batch norm when
    ``shortcut_bn``. Parameters (``conv_bias=False``, ``shortcut_bn=True``):
    9 C_in C_out + 9 C_out^2 + 4 C_out (two batch norms), plus C_in C_out + 2 C_out with
    a projection shortcut.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 conv_bias: bool = False, shortcut_bn: bool = True):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=conv_bias)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=conv_bias)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        if stride != 1 or in_channels != out_channels:
            # The identity cannot be added when the shape changes: project x instead.
            layers = [nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=conv_bias)]
            if shortcut_bn:
                layers.append(nn.BatchNorm2d(out_channels))
            self.shortcut = nn.Sequential(*layers)
        else:
            self.shortcut = nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + self.shortcut(x))
