"""nbgrader's Execute preprocessor, starting each notebook's kernel on Unix sockets.

nbgrader's own Execute insists on jupyter_client's AsyncKernelManager (TCP
ports picked, released, then bound by the kernel), which lets kernels started
side by side by parallel graders collide. nbgrader_config.py names this class
in `Autograde.autograde_preprocessors` instead; everything else is nbgrader's.
"""

from nbgrader.preprocessors import Execute

from course.unix_socket_kernels import AsyncUnixSocketKernelManager


class UnixSocketExecute(Execute):
    """nbgrader's Execute with the course's Unix-socket kernel manager."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", AsyncUnixSocketKernelManager)
        super().__init__(*args, **kwargs)
