"""Where an assignment's files live, and which assignment ids are valid.

One place for the folder contract of ARCHITECTURE.md (`lessons/ID.md` ->
`source/ID/ID.ipynb` -> `release/ID/ID.ipynb`), so no other module builds paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from course.authoring.problems import UsageProblem

ID_PATTERN = re.compile(r"^(?:day2-\d{2}|kata-\d{3}|gate-phase-\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_FORMS = "day2-NN-slug, kata-NNN-slug or gate-phase-NN-slug"
CONFIG_FILE = "nbgrader_config.py"
NOT_LESSONS = {"README.md", "readme.md"}


def is_assignment_id(name: str) -> bool:
    return bool(ID_PATTERN.match(name))


@dataclass(frozen=True)
class CourseLayout:
    """The course folders under one root (the directory holding nbgrader_config.py)."""

    root: Path

    @classmethod
    def at(cls, root: str | Path | None = None) -> "CourseLayout":
        return cls(Path(root or ".").resolve())

    @property
    def lessons_dir(self) -> Path:
        return self.root / "lessons"

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_FILE

    def lesson(self, assignment_id: str) -> Path:
        return self.lessons_dir / f"{assignment_id}.md"

    def source_dir(self, assignment_id: str) -> Path:
        return self.root / "source" / assignment_id

    def source_notebook(self, assignment_id: str) -> Path:
        return self.source_dir(assignment_id) / f"{assignment_id}.ipynb"

    def release_dir(self, assignment_id: str) -> Path:
        return self.root / "release" / assignment_id

    def release_notebook(self, assignment_id: str) -> Path:
        return self.release_dir(assignment_id) / f"{assignment_id}.ipynb"

    def show(self, path: Path) -> str:
        """A path as people read it in messages: relative to the root when inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def lesson_ids(root: str | Path | None = None) -> list[str]:
    """The ids of all lessons in `lessons/` (file stems, sorted); raises UsageProblem without a lessons folder."""
    layout = CourseLayout.at(root)
    if not layout.lessons_dir.is_dir():
        raise UsageProblem(
            f"there is no lessons folder at {layout.lessons_dir}; "
            "run the command from the course root or pass --root"
        )
    return sorted(p.stem for p in layout.lessons_dir.glob("*.md") if p.name not in NOT_LESSONS)


def select_ids(root: str | Path | None, requested: tuple[str, ...] | list[str]) -> list[str]:
    """The ids a command works on: all lessons when none are named, else the named ones (checked).

    An argument may also be a path such as `lessons/ID.md`; its stem is the id.
    """
    known = lesson_ids(root)
    if not requested:
        return known
    chosen: list[str] = []
    for name in requested:
        assignment_id = Path(name).stem if name.endswith(".md") else Path(name).name
        if assignment_id not in known:
            raise UsageProblem(
                f"unknown assignment id '{name}': there is no lessons/{assignment_id}.md"
            )
        if assignment_id not in chosen:
            chosen.append(assignment_id)
    return chosen
