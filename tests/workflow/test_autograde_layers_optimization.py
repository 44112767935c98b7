"""The update rules and fully connected network notebook (layers 05) through nbgrader autograde: see tests/autograde_suite.py."""

import pytest

from autograde_suite import AutogradeSuite
from catalogue.layers_optimization import CATALOGUE
from cs231n_utils.data import find_cifar10_source


# Every submission runs the notebook's overfitting check on 50 real CIFAR-10 images.
@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.skipif(find_cifar10_source() is None,
                    reason="no CIFAR-10 copy in the data directory (CS231N_DATA): the notebook trains on real images")
class TestLayersOptimizationAutograde(AutogradeSuite):
    catalogue = CATALOGUE
