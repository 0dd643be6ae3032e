"""The course's own kernels (grading, checks, gates) talk over Unix sockets, so
parallel kernel starts cannot race for TCP ports; nothing is left behind."""

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


def test_autograde_starts_its_kernels_on_unix_sockets():
    from nbgrader.preprocessors import Execute
    from traitlets.utils.importstring import import_item

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    steps = [import_item(name) for name in config.Autograde.autograde_preprocessors]
    executes = [step for step in steps if issubclass(step, Execute)]
    assert [step(config=config).kernel_manager_class for step in executes] == [AsyncUnixSocketKernelManager]
