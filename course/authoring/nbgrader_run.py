"""Run nbgrader's own generate_assignment, configured by the course's nbgrader_config.py.

Uses nbgrader's Python API in-process (one import for many assignments) with
the config file loaded from the course root; its relative paths (`root = "."`,
`sqlite:///gradebook.db`) are resolved against that root, exactly as running
`nbgrader generate_assignment ID` from the root would. nbgrader's gradebook
calls the `alembic` executable, so the venv's bin folder is put on PATH.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from course.authoring.layout import CONFIG_FILE
from course.authoring.problems import AuthoringError

SQLITE_PREFIX = "sqlite:///"


def course_config(root: Path):
    """nbgrader's config from ROOT/nbgrader_config.py, with root and db_url anchored at ROOT."""
    from traitlets.config.loader import PyFileConfigLoader

    config_file = root / CONFIG_FILE
    if not config_file.is_file():
        raise AuthoringError(f"there is no {CONFIG_FILE} in {root}; run from the course root or pass --root")
    try:
        config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    except Exception as error:
        raise AuthoringError(f"{config_file} cannot be loaded: {error}") from None
    course_root = Path(config.CourseDirectory.get("root", "."))
    config.CourseDirectory.root = str(course_root if course_root.is_absolute() else (root / course_root).resolve())
    db_url = str(config.CourseDirectory.get("db_url", SQLITE_PREFIX + "gradebook.db"))
    if db_url.startswith(SQLITE_PREFIX) and not db_url[len(SQLITE_PREFIX) :].startswith("/"):
        config.CourseDirectory.db_url = SQLITE_PREFIX + str(root / db_url[len(SQLITE_PREFIX) :])
    return config


@contextlib.contextmanager
def _venv_on_path():
    bin_dir = str(Path(sys.executable).parent)
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = bin_dir + os.pathsep + saved
    try:
        yield
    finally:
        os.environ["PATH"] = saved


def generate_assignment(root: str | Path, assignment_id: str) -> str:
    """`nbgrader generate_assignment ID --force` for the course at ROOT; returns nbgrader's log.

    Raises AuthoringError with nbgrader's own error lines (not a traceback) on failure.
    """
    from nbgrader.apps import NbGraderAPI

    root = Path(root).resolve()
    config = course_config(root)
    with _venv_on_path():
        result = NbGraderAPI(config=config).generate_assignment(assignment_id, force=True)
    log = result.get("log", "")
    if not result.get("success"):
        raise AuthoringError(f"nbgrader generate_assignment {assignment_id} failed: {_reason(result)}")
    return log


def _reason(result: dict) -> str:
    """The most telling line of nbgrader's failure: the last exception line of its log or traceback."""
    for text in (result.get("log", ""), result.get("error", "")):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        exceptions = [line for line in lines if ("Error:" in line or "Exception:" in line) and "Please see" not in line]
        if exceptions:
            return exceptions[-1]
    return "see nbgrader's log"
