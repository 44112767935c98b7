"""The convolutional-networks notebook (layers 06) through nbgrader autograde: see tests/autograde_suite.py.

nbgrader sets NBGRADER_EXECUTION=autograde while grading, and the notebook then skips its
training runs (sections 4 and 5, not graded): each submission runs only the graded cells,
after the five earlier notebooks of the assignment that it loads.
"""

import pytest

from autograde_suite import AutogradeSuite
from catalogue.layers_convnets import CATALOGUE


@pytest.mark.slow
class TestLayersConvnetsAutograde(AutogradeSuite):
    catalogue = CATALOGUE
