"""The dropout and normalisation notebook through nbgrader autograde: see tests/autograde_suite.py."""

import pytest

from autograde_suite import AutogradeSuite
from catalogue.layers_normalization import CATALOGUE


@pytest.mark.slow
class TestLayersNormalizationAutograde(AutogradeSuite):
    catalogue = CATALOGUE
