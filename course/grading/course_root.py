"""Where the course lives and how nbgrader is configured there.

Every grading command works on one course directory (the repo root by
default, a scratch copy in tests and benchmarks). This module finds it, loads
the same `nbgrader_config.py` that `nbgrader ...` reads from that directory,
and hands out the gradebook URL. The URL carries an SQLite busy timeout: with
several graders writing to one `gradebook.db`, a writer that finds the
database locked waits its turn instead of failing with "database is locked".
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from traitlets.config import Config
from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"
# Seconds a connection waits for another grader's write to finish.
SQLITE_BUSY_TIMEOUT = 60


class CourseError(Exception):
    """A problem the instructor can fix (wrong folder, unknown assignment):
    reported as a sentence, never as a traceback."""


def find_root(start: str | os.PathLike | None = None) -> Path:
    """The nearest directory at or above `start` holding nbgrader_config.py."""
    here = Path(start or os.getcwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise CourseError(
        f"No course found: neither {here} nor any folder above it holds {CONFIG_FILE}. "
        "Run the command from the course folder or pass --root."
    )


def load_nbgrader_config(root: Path) -> Config:
    """The configuration `nbgrader` itself would load when run from `root`:
    the Jupyter config path first, the course's own file last (it wins)."""
    config = Config()
    for folder in [*reversed(jupyter_config_path()), str(root)]:
        try:
            config.merge(PyFileConfigLoader(CONFIG_FILE, path=folder).load_config())
        except ConfigFileNotFound:
            continue
    return config


def sqlite_url_with_timeout(db_url: str, root: Path) -> str:
    """Make a relative sqlite URL absolute (workers may run elsewhere) and add
    a busy timeout unless one is set. Other databases pass through."""
    prefix = "sqlite:///"
    if not db_url.startswith(prefix):
        return db_url
    path, _, query = db_url[len(prefix):].partition("?")
    if not os.path.isabs(path):
        path = str((root / path).resolve())
    params = [p for p in query.split("&") if p]
    if not any(p.startswith("timeout=") for p in params):
        params.append(f"timeout={SQLITE_BUSY_TIMEOUT}")
    return f"{prefix}{path}?{'&'.join(params)}"


def ensure_venv_tools_on_path() -> None:
    """nbgrader creates a new gradebook by running the `alembic` executable
    found on PATH; when `course` is run as .venv/bin/course without activating
    the venv, put the venv's bin folder on PATH so that lookup succeeds."""
    bin_dir = os.path.dirname(sys.executable)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bin_dir not in parts:
        os.environ["PATH"] = os.pathsep.join([bin_dir, *parts])


@dataclass(frozen=True)
class Course:
    """A course directory with its nbgrader settings resolved."""

    root: Path
    course_id: str
    db_url: str

    @classmethod
    def open(cls, root: str | os.PathLike | None = None) -> "Course":
        ensure_venv_tools_on_path()
        base = Path(root).resolve() if root else find_root()
        if not (base / CONFIG_FILE).is_file():
            raise CourseError(f"{base} is not a course folder: it has no {CONFIG_FILE}.")
        config = load_nbgrader_config(base)
        coursedir = config.get("CourseDirectory", {})
        course_id = coursedir.get("course_id", "default_course")
        db_url = coursedir.get("db_url", "sqlite:///gradebook.db")
        return cls(root=base, course_id=course_id, db_url=sqlite_url_with_timeout(db_url, base))

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    def nbgrader_config(self) -> Config:
        """Config for in-process nbgrader calls: the course's own, pinned to
        this root and to the gradebook URL with a busy timeout."""
        config = load_nbgrader_config(self.root)
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.db_url = self.db_url
        return config

    def assignment_ids(self) -> list[str]:
        """Assignments with a source folder (what `course release` produces from)."""
        source = self.path("source")
        if not source.is_dir():
            return []
        return sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))
