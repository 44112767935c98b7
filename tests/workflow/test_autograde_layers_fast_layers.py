"""The fast-layers notebook through nbgrader autograde: see tests/autograde_suite.py."""

import pytest

from autograde_suite import AutogradeSuite
from catalogue.layers_fast_layers import CATALOGUE


@pytest.mark.slow
class TestLayersFastLayersAutograde(AutogradeSuite):
    catalogue = CATALOGUE
