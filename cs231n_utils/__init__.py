"""Helper package of the open CNN course.

Modules, one job each:

- ``cs231n_utils.data``: find, download, verify, decode and cache MNIST and CIFAR-10,
  and the CS231n-style preprocessing (``get_cifar10_data``).
- ``cs231n_utils.gradcheck``: numerical gradients and ``rel_error`` for gradient checks.
"""

__version__ = "0.1.0"
