"""Kernels the course starts for itself talk to it over Unix sockets, not TCP.

jupyter_client's default picks five "free" TCP ports by binding port 0 and
letting go, then the kernel binds them a moment later. With dozens of kernels
starting at once (parallel autograding, the test suite, gate runs) another
process can take a port in between, or a client still connecting to a port
nobody listens on yet can connect to itself; the kernel then dies before
its first reply ("Address already in use") or never answers at all. Sockets
in a folder of their own cannot collide, so grading never depends on luck.

Students' JupyterLab keeps TCP: only course machinery (nbgrader, nbclient,
papermill, the tests) uses these managers.
"""

from __future__ import annotations

import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager, KernelManager


EXIT_POLL_SECONDS = 0.005


class _UnixSockets:
    """Mixin: `ipc` transport, sockets in a temporary folder removed at shutdown,
    and a prompt notice when the kernel has exited."""

    _socket_folder: str | None = None

    def _transport_default(self) -> str:
        return "ipc"

    def _ip_default(self) -> str:
        # A socket path must stay under ~100 bytes: a short folder in the temp dir.
        if self._socket_folder is None:
            self._socket_folder = tempfile.mkdtemp(prefix="kernel-")
        return f"{self._socket_folder}/socket"

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # jupyter_client polls a killed kernel every 100 ms; it is gone within a
        # few, and a grader waiting out the rest idles a core per notebook.
        await super()._async_wait(pollinterval=min(pollinterval, EXIT_POLL_SECONDS))

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._socket_folder:
            shutil.rmtree(self._socket_folder, ignore_errors=True)
            self._socket_folder = None


class UnixSocketKernelManager(_UnixSockets, KernelManager):
    """Blocking manager (tests, benchmarks)."""


class AsyncUnixSocketKernelManager(_UnixSockets, AsyncKernelManager):
    """Async manager: what nbclient, nbgrader and papermill drive."""


ASYNC_MANAGER = f"{__name__}.AsyncUnixSocketKernelManager"
