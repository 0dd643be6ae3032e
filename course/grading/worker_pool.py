"""Where grading workers come from: a forkserver that has imported nbgrader.

Importing nbgrader takes a core about a second. Workers fork from a clean
"forkserver" process that has done it once, so each starts in a fraction of
a second and never inherits the threads of the coordinator's progress
display. This module imports nothing heavy, so `course autograde` can start
the forkserver before its own imports (`course.cli`) and the two overlap.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver

PRELOAD = ["__main__", "course.grading.parallel_autograde", "nbgrader.apps", "nbgrader.converters",
           "nbclient", "jupyter_client", "course.grading.forkserver_exit"]


def pool_context():
    """The multiprocessing context grading pools are built with."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start_early() -> None:
    """Start the forkserver now (a no-op if it runs already)."""
    pool_context()
    forkserver.ensure_running()
