"""The PyTorch basics notebook (pytorch 01) through nbgrader autograde: see tests/autograde_suite.py.

nbgrader sets NBGRADER_EXECUTION=autograde while grading, and the notebook then skips its
training run on CIFAR-10 (not graded): each submission runs only the graded cells, on
random tensors, so no data set is needed.
"""

import pytest

from autograde_suite import AutogradeSuite
from catalogue.pytorch_basics import CATALOGUE


@pytest.mark.slow
class TestPytorchBasicsAutograde(AutogradeSuite):
    catalogue = CATALOGUE
