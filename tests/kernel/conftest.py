"""Fixtures that drive the installed `elixir` kernel through jupyter_client, as frontends do."""

import pytest

from kernel_driver import KernelDriver


@pytest.fixture(scope="module")
def kernel():
    driver = KernelDriver()
    yield driver
    driver.shutdown()


@pytest.fixture
def fresh_kernel():
    driver = KernelDriver()
    yield driver
    driver.shutdown()


@pytest.fixture
def grading_kernel():
    import os

    driver = KernelDriver(env={**os.environ, "NBGRADER_EXECUTION": "autograde"})
    yield driver
    driver.shutdown()
