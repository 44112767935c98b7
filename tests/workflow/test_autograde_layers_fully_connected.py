"""layers/01_fully_connected.ipynb through nbgrader autograde: see tests/autograde_suite.py."""

import pytest

from autograde_suite import AutogradeSuite
from catalogue.layers_fully_connected import CATALOGUE


@pytest.mark.slow
class TestLayersFullyConnectedAutograde(AutogradeSuite):
    catalogue = CATALOGUE
