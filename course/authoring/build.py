"""Write or compare `source/ID/ID.ipynb`: the nbgrader source notebook built from `lessons/ID.md`.

The bytes are a pure function of the text (sorted keys, fixed cell ids, no
outputs), so the committed notebook can be compared byte for byte with a fresh
build (`course build --check`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.authoring.layout import CourseLayout
from course.authoring.lint import lint_path
from course.authoring.metadata import source_notebook
from course.authoring.problems import Problem, has_errors
from course.authoring.reader import Lesson

WRITTEN, UNCHANGED, OUT_OF_DATE, MISSING, INVALID = "written", "unchanged", "out of date", "missing", "lint errors"


@dataclass
class Outcome:
    """What happened to one assignment's notebook (status is one of the constants above)."""

    assignment_id: str
    path: str
    status: str
    problems: list[Problem] = field(default_factory=list)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status in (WRITTEN, UNCHANGED)


def notebook_bytes(notebook: nbformat.NotebookNode) -> bytes:
    """The exact file content for a notebook (nbformat's JSON, UTF-8, final newline)."""
    text = nbformat.writes(notebook)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def expected_source(root: str | Path | None, assignment_id: str) -> tuple[bytes | None, Lesson | None, list[Problem]]:
    """The source notebook bytes the text asks for; None when the lesson has lint errors."""
    layout = CourseLayout.at(root)
    path = layout.lesson(assignment_id)
    lesson, problems = lint_path(path, layout.show(path))
    if lesson is None or has_errors(problems):
        return None, lesson, problems
    return notebook_bytes(source_notebook(lesson)), lesson, problems


def build_source(root: str | Path | None, assignment_id: str) -> Outcome:
    """Write source/ID/ID.ipynb from lessons/ID.md unless it is already identical or the lint fails."""
    layout = CourseLayout.at(root)
    target = layout.source_notebook(assignment_id)
    wanted, _, problems = expected_source(layout.root, assignment_id)
    if wanted is None:
        return Outcome(assignment_id, layout.show(target), INVALID, problems)
    if target.is_file() and target.read_bytes() == wanted:
        return Outcome(assignment_id, layout.show(target), UNCHANGED, problems)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(wanted)
    return Outcome(assignment_id, layout.show(target), WRITTEN, problems)


def check_source(root: str | Path | None, assignment_id: str, wanted: bytes | None = None) -> Outcome:
    """Compare source/ID/ID.ipynb with a fresh build, writing nothing."""
    layout = CourseLayout.at(root)
    target = layout.source_notebook(assignment_id)
    problems: list[Problem] = []
    if wanted is None:
        wanted, _, problems = expected_source(layout.root, assignment_id)
        if wanted is None:
            return Outcome(assignment_id, layout.show(target), INVALID, problems)
    if not target.is_file():
        return Outcome(assignment_id, layout.show(target), MISSING, problems)
    status = UNCHANGED if target.read_bytes() == wanted else OUT_OF_DATE
    return Outcome(assignment_id, layout.show(target), status, problems)
