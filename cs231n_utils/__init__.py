"""Helper package of the open CNN course.

Modules, one job each:

- ``cs231n_utils.data``: find, download, verify, decode and cache MNIST and CIFAR-10,
  and the CS231n-style preprocessing (``get_cifar10_data``).
- ``cs231n_utils.gradcheck``: numerical gradients and ``rel_error`` for gradient checks.
- ``cs231n_utils.notebook_import``: load the functions a student wrote in an earlier notebook.
- ``cs231n_utils.solver``: the ``Solver`` that trains a model with the student's update rule
  (progress bar, schedules, checkpoints, clear errors on bad configurations).
- ``cs231n_utils.schedules``: learning-rate schedules (constant, step, cosine, one-cycle).
- ``cs231n_utils.augment``: random flips and crops of training batches, in numpy.
- ``cs231n_utils.plots``: loss and accuracy curves, filters, feature maps.
- ``cs231n_utils.run_record``: the ``record.json`` of a training run and its curves.
- ``cs231n_utils.benchmark``: times naive and fast layers against PyTorch.
- ``cs231n_utils.train_numpy``: trains the course's numpy ConvNet on CIFAR-10 and records it.
- ``cs231n_utils.zoo``: the PyTorch model zoo (the seed's networks, d2l's classic CNNs,
  VGG-A and ResNet-18 for CIFAR-10), built by name, with a CLI that lists them and prints
  layer shapes.
- ``cs231n_utils.device_data``: a data set held on the training device as uint8, with
  crops, flips and normalisation done there.
- ``cs231n_utils.train``: the PyTorch trainer (GPU first, correct on the CPU; resumable,
  multi-GPU with torchrun) that writes the same run records as the numpy one.
"""

__version__ = "0.1.0"
