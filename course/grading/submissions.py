"""Which submissions are there to grade, and can they be read at all.

nbgrader finds submissions by globbing `submitted/STUDENT/ID/*.ipynb` and
aborts a student on the first unreadable notebook, with a traceback. We look
first: every submission is listed with the problems found in it (invalid JSON,
not a notebook), so a malformed notebook is reported in a sentence and only
that student is skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.grading.course_root import Course


@dataclass(frozen=True)
class Submission:
    """One student's folder for one assignment."""

    student: str
    assignment: str
    folder: Path
    notebooks: tuple[Path, ...]
    problems: tuple[str, ...] = field(default=())

    @property
    def readable(self) -> bool:
        return not self.problems


def notebook_problem(path: Path) -> str | None:
    """A sentence saying why `path` cannot be graded, or None if it can."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return f"{path.name} is not UTF-8 text, so it is not a notebook."
    except OSError as error:
        return f"{path.name} could not be read ({error.strerror or error})."
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        return f"{path.name} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
    if isinstance(raw, dict) and isinstance(raw.get("nbformat"), int) and raw["nbformat"] < 4:
        return (f"{path.name} is an nbformat {raw['nbformat']} notebook (saved by a Jupyter older than 2015); "
                "open it in a current Jupyter, save it and hand it in again.")
    if not isinstance(raw, dict) or "cells" not in raw:
        return f"{path.name} is JSON but not a notebook (it has no cells)."
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several kinds; all mean "not gradable"
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"{path.name} is not a valid notebook ({message[:200]})."
    return None


def expected_notebooks(course: Course, assignment: str) -> list[str]:
    """Notebook names of the assignment as released (what students hand in)."""
    for folder in (course.path("release", assignment), course.path("source", assignment)):
        if folder.is_dir():
            return sorted(p.stem for p in folder.glob("*.ipynb"))
    return []


def discover(course: Course, assignment: str, students: list[str] | None = None) -> list[Submission]:
    """Submissions of `assignment`, sorted by student, each checked for readability.

    Only the assignment's own notebooks are checked (a student may hand in
    scratch notebooks too; nbgrader skips those as unknown).
    """
    expected = set(expected_notebooks(course, assignment))
    submitted = course.path("submitted")
    found: list[Submission] = []
    if not submitted.is_dir():
        return found
    for student_dir in sorted(p for p in submitted.iterdir() if p.is_dir()):
        if students and student_dir.name not in students:
            continue
        folder = student_dir / assignment
        if not folder.is_dir():
            continue
        notebooks = tuple(sorted(folder.glob("*.ipynb")))
        graded = [nb for nb in notebooks if not expected or nb.stem in expected]
        problems = [p for p in (notebook_problem(nb) for nb in graded) if p]
        if not graded:
            problems.append(
                "the folder holds no notebook of this assignment"
                + (f" (expected {', '.join(sorted(expected))}.ipynb)." if expected else ".")
            )
        found.append(Submission(student_dir.name, assignment, folder, notebooks, tuple(problems)))
    return found
