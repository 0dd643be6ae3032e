"""Cell roles of the lesson text -> nbgrader cell metadata (schema version 3), and the notebook metadata.

The lesson says what a cell is for (`role: solution|tests|written`, `grade_id`,
`points` for written answers); nbgrader needs `{grade, solution, locked, points,
grade_id, schema_version}`. A tests cell's points are derived from its
`Grade.run` tests, never typed twice. The authoring keys move into the
`nbgrader` metadata and leave the top level; `tags` and any other keys stay.
Cell ids are the grade_id, or `cell-N` (position) for other cells, so the same
text always gives the same notebook.
"""

from __future__ import annotations

import copy

import nbformat
from nbformat import NotebookNode

from course.authoring.reader import Lesson
from course.authoring.tests_cell import analyse_tests_cell

ROLES = ("solution", "tests", "written")
ROLE_CELL_TYPES = {"solution": "code", "tests": "code", "written": "markdown"}
AUTHORING_KEYS = ("role", "grade_id", "points")
KERNELSPEC = {"name": "elixir", "display_name": "Elixir", "language": "elixir"}
LANGUAGE_INFO = {
    "name": "elixir",
    "file_extension": ".ex",
    "mimetype": "text/x-elixir",
    "codemirror_mode": "elixir",
    "pygments_lexer": "elixir",
}
SCHEMA_VERSION = 3
INSTRUCTOR_ONLY = "instructor-only"


def points_value(value: float) -> int | float:
    """Points as nbgrader stores them: an int when whole (2, not 2.0)."""
    number = float(value)
    return int(number) if number.is_integer() else number


def cell_id(cell: NotebookNode, index: int) -> str:
    grade_id = cell.metadata.get("grade_id")
    return grade_id if isinstance(grade_id, str) and grade_id else f"cell-{index}"


def nbgrader_metadata(cell: NotebookNode) -> dict | None:
    """The nbgrader metadata a cell's role asks for, or None for plain reading/example cells."""
    meta = cell.metadata
    role, grade_id = meta.get("role"), meta.get("grade_id")
    if role is None and grade_id is None:
        return None
    built = {"grade": False, "solution": False, "locked": True, "grade_id": grade_id, "schema_version": SCHEMA_VERSION}
    if role == "solution":
        built.update(solution=True, locked=False)
    elif role == "tests":
        built.update(grade=True, points=points_value(analyse_tests_cell(cell.source).points))
    elif role == "written":
        built.update(grade=True, solution=True, locked=False, points=points_value(meta.get("points", 0)))
    return built


def source_cell(cell: NotebookNode, index: int) -> NotebookNode:
    """A copy of the lesson cell as the nbgrader source notebook holds it."""
    metadata = {k: copy.deepcopy(v) for k, v in cell.metadata.items() if k not in AUTHORING_KEYS}
    grading = nbgrader_metadata(cell)
    if grading is not None:
        metadata["nbgrader"] = grading
    if cell.cell_type == "code":
        built = nbformat.v4.new_code_cell(source=cell.source, metadata=metadata)
    elif cell.cell_type == "raw":
        built = nbformat.v4.new_raw_cell(source=cell.source, metadata=metadata)
    else:
        built = nbformat.v4.new_markdown_cell(source=cell.source, metadata=metadata)
    built.id = cell_id(cell, index)
    return built


def source_notebook(lesson: Lesson) -> NotebookNode:
    """The nbgrader source notebook for a lesson (assumes the lesson passed the lint)."""
    metadata = {k: copy.deepcopy(v) for k, v in lesson.notebook.metadata.items() if k != "jupytext"}
    metadata["kernelspec"] = dict(KERNELSPEC)
    metadata["language_info"] = dict(LANGUAGE_INFO)
    notebook = nbformat.v4.new_notebook(metadata=metadata)
    notebook.cells = [source_cell(cell, index) for index, cell in enumerate(lesson.notebook.cells)]
    return notebook


def is_instructor_only(cell: NotebookNode) -> bool:
    return INSTRUCTOR_ONLY in (cell.metadata.get("tags") or [])
