"""Image data held on the training device as uint8, batched and augmented there.

The trainer (:mod:`cs231n_utils.train`) keeps a whole data set on the GPU: CIFAR-10 is
150 MB as uint8, and cropping, flipping and normalising a batch on the GPU costs far less
than a CPU input pipeline feeding it. On the CPU the same code runs unchanged.

Randomness is a pure function of ``(seed, epoch, rank)``: the permutation comes from
:class:`torch.utils.data.DistributedSampler` (which also splits the data between the
processes of a multi-GPU run) and the crop offsets and flips from a generator seeded from
the same numbers. Resuming at epoch ``e`` therefore replays exactly the batches an
uninterrupted run would have seen, with no random state to save.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as tF
from torch.utils.data import DistributedSampler

from cs231n_utils.data import load_cifar10, load_mnist

__all__ = ["DATASETS", "DeviceImages", "channel_statistics", "load_dataset", "random_crop", "random_flip"]

# name -> (loader, channels, whether a horizontal flip keeps the label, crop padding)
# Digits are not flipped: a mirrored 2 or 7 is not a digit.
DATASETS = {
    "cifar10": (load_cifar10, 3, True, 4),
    "mnist": (load_mnist, 1, False, 2),
}


def _nchw(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, H, W, C) or (N, H, W) -> uint8 tensor (N, C, H, W), contiguous."""
    tensor = torch.from_numpy(np.ascontiguousarray(images))
    if tensor.ndim == 3:
        return tensor.unsqueeze(1)
    return tensor.permute(0, 3, 1, 2).contiguous()


def load_dataset(name: str, data_dir=None) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """The train and test split of a data set as uint8 images (N, C, H, W) and int64 labels (N,),
    on the CPU. ``name`` is a key of :data:`DATASETS`; files come from the data directory."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; known: {', '.join(sorted(DATASETS))}")
    loader = DATASETS[name][0]
    data = loader(data_dir)
    return ((_nchw(data.X_train), torch.from_numpy(data.y_train).long()),
            (_nchw(data.X_test), torch.from_numpy(data.y_test).long()))


def random_crop(x: torch.Tensor, pad: int, generator: torch.Generator) -> torch.Tensor:
    """Each image of x: (B, C, H, W) shifted by up to ``pad`` pixels in each direction, the
    uncovered border filled with zeros (a crop of the zero-padded image). Vectorised: one
    gather for the whole batch."""
    if pad == 0:
        return x
    B, C, H, W = x.shape
    padded = tF.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (B,), generator=generator).to(x.device)
    dx = torch.randint(0, 2 * pad + 1, (B,), generator=generator).to(x.device)
    rows = (dy[:, None] + torch.arange(H, device=x.device))[:, :, None]  # (B, H, 1)
    cols = (dx[:, None] + torch.arange(W, device=x.device))[:, None, :]  # (B, 1, W)
    batch = torch.arange(B, device=x.device)[:, None, None]
    # Advanced indexing on dims 0, 2, 3 moves the channel axis last: (B, H, W, C).
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)


def random_flip(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Mirror each image of x: (B, C, H, W) left-right with probability 1/2."""
    flip = (torch.rand(x.shape[0], generator=generator) < 0.5).to(x.device)
    return torch.where(flip[:, None, None, None], x.flip(3), x)


def channel_statistics(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and standard deviation of each channel of uint8 images (N, C, H, W), in [0, 1]
    units, as float64 (C,) tensors. Computed from each channel's histogram of the 256
    values: exact, and without a float copy of the whole set."""
    values = torch.arange(256, dtype=torch.float64) / 255
    means, stds = [], []
    for c in range(images.shape[1]):
        counts = torch.bincount(images[:, c].reshape(-1).cpu(), minlength=256).double()
        n = counts.sum()
        mean = (counts * values).sum() / n
        means.append(mean)
        stds.append(((counts * (values - mean) ** 2).sum() / (n - 1)).sqrt())
    return torch.stack(means), torch.stack(stds)


@dataclass
class DeviceImages:
    """A labelled image set on ``device``: images uint8 (N, C, H, W), labels int64 (N,).

    mean, std: per-channel statistics in [0, 1] units used to normalise every batch
    (the training set's, so train and test are normalised alike).
    """

    images: torch.Tensor
    labels: torch.Tensor
    mean: torch.Tensor
    std: torch.Tensor

    @classmethod
    def create(cls, images: torch.Tensor, labels: torch.Tensor, device: torch.device,
               mean: torch.Tensor | None = None, std: torch.Tensor | None = None) -> "DeviceImages":
        if images.dtype != torch.uint8 or images.ndim != 4:
            raise ValueError(f"images must be uint8 (N, C, H, W), got {images.dtype} {tuple(images.shape)}")
        if labels.shape != (images.shape[0],):
            raise ValueError(f"labels must have shape ({images.shape[0]},), got {tuple(labels.shape)}")
        if mean is None or std is None:
            mean, std = channel_statistics(images)
        return cls(images.to(device), labels.to(device), mean.float().to(device), std.float().to(device))

    def __len__(self) -> int:
        return self.images.shape[0]

    def normalise(self, batch: torch.Tensor) -> torch.Tensor:
        """uint8 (B, C, H, W) -> float32, each channel shifted and scaled to mean 0, std 1."""
        return (batch.float().div_(255) - self.mean[:, None, None]) / self.std[:, None, None]

    def epoch_indices(self, epoch: int, seed: int, rank: int = 0, world_size: int = 1,
                      shuffle: bool = True) -> torch.Tensor:
        """This process's share of the examples for ``epoch``, in order: the distributed
        sampler's permutation (seeded by ``seed`` and ``epoch``, padded to a multiple of
        ``world_size`` by repeating examples, as torch does)."""
        sampler = DistributedSampler(range(len(self)), num_replicas=world_size, rank=rank,
                                     shuffle=shuffle, seed=seed, drop_last=False)
        sampler.set_epoch(epoch)
        return torch.tensor(list(sampler), dtype=torch.long)

    def batches(self, indices: torch.Tensor, batch_size: int, *, crop_pad: int = 0, flip: bool = False,
                generator: torch.Generator | None = None) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Normalised float32 images (B, C, H, W) and labels (B,) for consecutive slices of
        ``indices``, augmented (random crop with ``crop_pad`` and/or flips) when asked; the
        last batch may be smaller."""
        if (crop_pad or flip) and generator is None:
            raise ValueError("augmentation needs a seeded torch.Generator")
        indices = indices.to(self.images.device)
        for start in range(0, len(indices), batch_size):
            take = indices[start:start + batch_size]
            x = self.images[take]
            if crop_pad:
                x = random_crop(x, crop_pad, generator)
            if flip:
                x = random_flip(x, generator)
            yield self.normalise(x), self.labels[take]
