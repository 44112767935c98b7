"""The CIFAR-10 design notebook (pytorch 02) through nbgrader autograde: see tests/autograde_suite.py.

Every submission loads CIFAR-10 and trains its network on a batch of real images, after
the reference solution of notebook 1 that it loads. The grading runs with any GPU hidden
(CUDA_VISIBLE_DEVICES empty), so that the catalogue is judged by the notebook's reduced
CPU check on every machine; the 10-epoch GPU criterion is not part of this test.
"""

import pytest

from autograde_suite import AutogradeSuite, needs_cifar10
from catalogue.pytorch_design import CATALOGUE


@needs_cifar10
class TestPytorchDesignAutograde(AutogradeSuite):
    catalogue = CATALOGUE

    @pytest.fixture(scope="class", autouse=True)
    def cpu_only(self):
        # nbgrader's kernels inherit this process's environment (nbgrader_course.course_env).
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("CUDA_VISIBLE_DEVICES", "")
            yield
