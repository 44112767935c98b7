"""The convolution notebook (layers 03) through nbgrader autograde: see tests/autograde_suite.py."""

import pytest

from autograde_suite import AutogradeSuite
from catalogue.layers_convolution import CATALOGUE


@pytest.mark.slow
class TestLayersConvolutionAutograde(AutogradeSuite):
    catalogue = CATALOGUE
