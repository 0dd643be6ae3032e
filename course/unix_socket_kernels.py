"""Kernels the course starts for itself: Unix sockets, and no idle waits.

jupyter_client's default picks five "free" TCP ports by binding port 0 and
letting go, then the kernel binds them a moment later. With dozens of kernels
starting at once (parallel autograding, the test suite, gate runs) another
process can take a port in between, or a client still connecting to a port
nobody listens on yet can connect to itself; the kernel then dies before
its first reply ("Address already in use") or never answers at all. Sockets
in a folder of their own cannot collide, so grading never depends on luck.

Two fixed waits of jupyter_client cost a grader 0.3 s per notebook: "ready"
ends only after IOPub has been silent for 0.2 s, and a killed kernel is
polled every 0.1 s. Here the client is ready once the
kernel_info request's own "idle" status arrives on IOPub (which proves IOPub
is connected, the point of jupyter_client's wait), and exits are polled
every 5 ms.

Students' JupyterLab keeps TCP: only course machinery (nbgrader, nbclient,
papermill, the tests) uses these managers.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.client import KernelClient
from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_client.utils import run_sync
from jupyter_core.utils import ensure_async
from traitlets import Type

EXIT_POLL_SECONDS = 0.005
IOPUB_GRACE_SECONDS = 0.2  # how long jupyter_client waits for IOPub to show it is connected


class _PromptReady(KernelClient):
    """Client: ready when a kernel_info request is answered on shell and seen finished on IOPub."""

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            msg_id = self.kernel_info()
            try:
                reply = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                if await self._iopub_finished(msg_id):
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError("Kernel didn't respond in %d seconds" % timeout)

    async def _iopub_finished(self, msg_id: str) -> bool:
        """Reads IOPub up to the "idle" status of request `msg_id`; False if IOPub stays silent."""
        while True:
            try:
                msg = await ensure_async(self.iopub_channel.get_msg(timeout=IOPUB_GRACE_SECONDS))
            except Empty:
                return False
            if (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
                    and msg["parent_header"].get("msg_id") == msg_id):
                return True


class PromptAsyncKernelClient(_PromptReady, AsyncKernelClient):
    wait_for_ready = _PromptReady._async_wait_for_ready


class PromptBlockingKernelClient(_PromptReady, BlockingKernelClient):
    wait_for_ready = run_sync(_PromptReady._async_wait_for_ready)


class _UnixSockets:
    """Manager mixin: `ipc` transport, sockets in a temporary folder removed at
    shutdown, and a prompt notice when the kernel has exited."""

    _socket_folder: str | None = None

    def _transport_default(self) -> str:
        return "ipc"

    def _ip_default(self) -> str:
        # A socket path must stay under ~100 bytes: a short folder in the temp dir.
        if self._socket_folder is None:
            self._socket_folder = tempfile.mkdtemp(prefix="kernel-")
        return f"{self._socket_folder}/socket"

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        await super()._async_wait(pollinterval=min(pollinterval, EXIT_POLL_SECONDS))

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._socket_folder:
            shutil.rmtree(self._socket_folder, ignore_errors=True)
            self._socket_folder = None


class UnixSocketKernelManager(_UnixSockets, KernelManager):
    """Blocking manager (tests, benchmarks)."""

    client_factory = Type(PromptBlockingKernelClient, klass=KernelClient, config=True)
    # jupyter_client binds this name to its own function, and nbclient calls it directly.
    cleanup_resources = run_sync(_UnixSockets._async_cleanup_resources)


class AsyncUnixSocketKernelManager(_UnixSockets, AsyncKernelManager):
    """Async manager: what nbclient, nbgrader and papermill drive."""

    client_factory = Type(PromptAsyncKernelClient, klass=KernelClient, config=True)
    cleanup_resources = _UnixSockets._async_cleanup_resources


ASYNC_MANAGER = f"{__name__}.AsyncUnixSocketKernelManager"
