"""Lint rules about cell roles and nbgrader regions: what nbgrader would reject or silently get wrong.

Each rule here protects a step of nbgrader: a graded cell needs a grade_id,
grade_ids must be unique, `### BEGIN SOLUTION` outside a solution cell aborts
generate_assignment, a solution cell without a region is blanked entirely, a
hidden-tests region outside a grade cell is never removed. Problems are
returned as `(line, message, severity)` with the line in the lesson text.
"""

from __future__ import annotations

import re

from nbformat import NotebookNode

from course.authoring.metadata import ROLE_CELL_TYPES, ROLES, is_instructor_only
from course.authoring.problems import ERROR, WARNING
from course.authoring.reader import Lesson
from course.authoring.regions import HIDDEN_TESTS, SOLUTION, find_regions

GRADE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
POSITIONAL_ID = re.compile(r"^cell-\d+$")

Finding = tuple[int, str, str]


def role_findings(lesson: Lesson, index: int, cell: NotebookNode) -> list[Finding]:
    """Unknown roles, roles on the wrong kind of cell, missing or malformed grade_id and points."""
    meta, line = cell.metadata, lesson.line(index)
    role, grade_id = meta.get("role"), meta.get("grade_id")
    found: list[Finding] = []
    if role is not None and role not in ROLES:
        found.append((line, f"unknown role '{role}' (expected solution, tests or written)", ERROR))
        return found
    if role is not None and cell.cell_type != ROLE_CELL_TYPES[role]:
        wanted = "a code cell" if ROLE_CELL_TYPES[role] == "code" else "a markdown cell (`+++ {...}`)"
        found.append((line, f"a {role} cell must be {wanted}", ERROR))
    if role is not None and grade_id is None:
        found.append((line, f"{role} cell has no grade_id", ERROR))
    if grade_id is not None:
        if not isinstance(grade_id, str) or not GRADE_ID.match(grade_id):
            found.append((line, f"grade_id {grade_id!r} must be 1-64 letters, digits, '-' or '_'", ERROR))
        elif POSITIONAL_ID.match(grade_id):
            found.append((line, f"grade_id '{grade_id}' looks like a position id (cell-N); choose a descriptive name", ERROR))
    if role is not None and is_instructor_only(cell):
        found.append((line, f"a {role} cell cannot be instructor-only: it would vanish from the release", ERROR))
    found.extend(_points_findings(line, role, meta))
    return found


def _points_findings(line: int, role: str | None, meta) -> list[Finding]:
    if "points" not in meta:
        return [(line, "written cell has no points", ERROR)] if role == "written" else []
    points = meta["points"]
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        return [(line, f"points must be a positive number, not {points!r}", ERROR)]
    if role in (None, "solution"):
        return [(line, f"points on a {role or 'plain'} cell are ignored: only tests and written cells are graded", WARNING)]
    return []


def duplicate_grade_ids(lesson: Lesson) -> list[Finding]:
    first_seen: dict[str, int] = {}
    found: list[Finding] = []
    for index, cell in enumerate(lesson.notebook.cells):
        grade_id = cell.metadata.get("grade_id")
        if not isinstance(grade_id, str):
            continue
        line = lesson.line(index)
        if grade_id in first_seen:
            found.append((line, f"duplicate grade_id '{grade_id}' (first used on line {first_seen[grade_id]})", ERROR))
        else:
            first_seen[grade_id] = line
    return found


def region_findings(lesson: Lesson, index: int, cell: NotebookNode) -> list[Finding]:
    """Solution and hidden-test regions: well formed, and only in the cells nbgrader expects them in."""
    role, source = cell.metadata.get("role"), cell.source
    found: list[Finding] = []
    solution, hidden = find_regions(source, SOLUTION), find_regions(source, HIDDEN_TESTS)
    for scan in (solution, hidden):
        if scan.error is not None:
            found.append((lesson.line(index, scan.error[0]), scan.error[1], ERROR))
    if role in ("solution", "written") and not solution.regions and solution.error is None:
        found.append((lesson.line(index), f"{role} cell has no ### BEGIN SOLUTION / ### END SOLUTION region", ERROR))
    if role not in ("solution", "written") and solution.regions:
        where = lesson.line(index, solution.regions[0].begin)
        found.append((where, "### BEGIN SOLUTION in a cell that is not a solution or written cell (nbgrader would abort the release)", ERROR))
    if role != "tests" and hidden.regions:
        where = lesson.line(index, hidden.regions[0].begin)
        found.append((where, "### BEGIN HIDDEN TESTS outside a tests cell (nbgrader would not hide it)", ERROR))
    return found
