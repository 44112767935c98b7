"""The pilot notebook through nbgrader autograde: see tests/autograde_suite.py."""

import pytest

from autograde_suite import AutogradeSuite
from catalogue.pilot import CATALOGUE


@pytest.mark.slow
class TestPilotAutograde(AutogradeSuite):
    catalogue = CATALOGUE
