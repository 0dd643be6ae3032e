"""The course's own kernels (grading, checks, gates) talk over Unix sockets, so
parallel kernel starts cannot race for TCP ports; nothing is left behind."""

import os
import signal
import time
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

from course.unix_socket_kernels import AsyncUnixSocketKernelManager
from kernel_driver import KernelDriver

REPO = Path(__file__).resolve().parents[2]


def test_kernel_listens_on_unix_sockets_and_removes_them_at_shutdown():
    driver = KernelDriver()
    info = driver.km.get_connection_info()
    folder = Path(info["ip"]).parent
    try:
        assert info["transport"] == "ipc"
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            f"socket-{info[name]}" for name in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"))
        assert all(p.is_socket() for p in folder.iterdir())
        assert driver.execute("Enum.sum(1..4)").result == "10"
    finally:
        driver.shutdown()
    assert not folder.exists()


def test_a_kernel_that_died_on_its_own_leaves_no_socket_folder():
    driver = KernelDriver()
    folder = Path(driver.km.get_connection_info()["ip"]).parent
    os.kill(driver.km.provisioner.process.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while driver.km.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    driver.kc.stop_channels()
    driver.km.cleanup_resources()  # what nbclient does when the kernel is already gone
    assert not folder.exists()


def test_autograde_runs_nbgraders_own_steps_with_unix_socket_kernels():
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.utils.importstring import import_item

    from course.grading.unix_socket_execute import UnixSocketExecute

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    steps = [import_item(name) for name in config.Autograde.autograde_preprocessors]
    nbgraders = Autograde.class_traits()["autograde_preprocessors"].default()
    assert steps == [UnixSocketExecute if step is Execute else step for step in nbgraders]
    assert UnixSocketExecute(config=config).kernel_manager_class is AsyncUnixSocketKernelManager
