"""The update rules and fully connected network notebook (layers 05) through nbgrader autograde: see tests/autograde_suite.py."""

from autograde_suite import AutogradeSuite, needs_cifar10
from catalogue.layers_optimization import CATALOGUE


# Every submission runs the notebook's overfitting check on 50 real CIFAR-10 images.
@needs_cifar10
class TestLayersOptimizationAutograde(AutogradeSuite):
    catalogue = CATALOGUE
