"""The CIFAR-10 design notebook (pytorch 02) through nbgrader autograde: see tests/autograde_suite.py.

Every submission loads CIFAR-10 and trains its network on a batch of real images, after
the reference solution of notebook 1 that it loads. The grading runs with any GPU hidden
(CUDA_VISIBLE_DEVICES empty), so that the catalogue is judged by the notebook's reduced
CPU check on every machine; the 10-epoch GPU criterion is not part of this test.
"""

import pytest

from autograde_suite import AutogradeSuite
from catalogue.pytorch_design import CATALOGUE
from cs231n_utils.data import find_cifar10_source


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.skipif(find_cifar10_source() is None,
                    reason="no CIFAR-10 copy in the data directory (CS231N_DATA): the notebook trains on real images")
class TestPytorchDesignAutograde(AutogradeSuite):
    catalogue = CATALOGUE

    @pytest.fixture(scope="class", autouse=True)
    def cpu_only(self):
        # nbgrader's kernels inherit this process's environment (nbgrader_course.course_env).
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("CUDA_VISIBLE_DEVICES", "")
            yield
