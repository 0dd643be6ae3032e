"""The authoring lint: every rule a lesson must pass before it becomes a notebook.

Runs the cell rules (roles, grade ids, nbgrader regions), the code rules
(Grade.run, points, Hex packages) and the lesson-wide rules (hidden tests exist,
written answers have a mark scheme), and reports each as
`lessons/ID.md:LINE: message`. `course build` refuses to write a lesson with
errors; warnings are printed and do not block.
"""

from __future__ import annotations

from pathlib import Path

from course.authoring.cell_rules import duplicate_grade_ids, region_findings, role_findings
from course.authoring.code_rules import code_findings, tests_findings
from course.authoring.layout import ID_FORMS, is_assignment_id
from course.authoring.metadata import is_instructor_only
from course.authoring.problems import ERROR, WARNING, AuthoringError, Problem
from course.authoring.reader import Lesson, read_lesson
from course.authoring.tests_cell import analyse_tests_cell


def lint_lesson(lesson: Lesson) -> list[Problem]:
    """All problems of a lesson that was read successfully, sorted by line."""
    findings = []
    if not is_assignment_id(lesson.assignment_id):
        findings.append((1, f"'{lesson.assignment_id}' is not an assignment id ({ID_FORMS})", ERROR))
    cells = lesson.notebook.cells
    for index, cell in enumerate(cells):
        findings.extend(role_findings(lesson, index, cell))
        findings.extend(region_findings(lesson, index, cell))
        if cell.cell_type == "code":
            findings.extend(code_findings(lesson, index, cell))
            if cell.metadata.get("role") == "tests":
                findings.extend(tests_findings(lesson, index, cell))
    findings.extend(duplicate_grade_ids(lesson))
    findings.extend(_lesson_findings(lesson))
    problems = {Problem(lesson.display, line, message, severity) for line, message, severity in findings}
    return sorted(problems, key=lambda p: (p.line, p.severity != ERROR, p.message))


def lint_path(path: str | Path, display: str | None = None) -> tuple[Lesson | None, list[Problem]]:
    """Read and lint a lesson file; malformed text gives (None, [its problem])."""
    try:
        lesson = read_lesson(path, display)
    except AuthoringError as error:
        problems = error.problems or [Problem(display or str(path), 1, str(error))]
        return None, problems
    return lesson, lint_lesson(lesson)


def _lesson_findings(lesson: Lesson):
    cells = lesson.notebook.cells
    tests_cells = [(i, c) for i, c in enumerate(cells) if c.cell_type == "code" and c.metadata.get("role") == "tests"]
    findings = []
    if tests_cells and sum(analyse_tests_cell(c.source).hidden_count for _, c in tests_cells) == 0:
        findings.append((lesson.line(tests_cells[0][0]), "the lesson has no hidden tests; add hidden_test cases that catch hard-coded answers", WARNING))
    for index, cell in enumerate(cells):
        if cell.metadata.get("role") != "written":
            continue
        following = cells[index + 1] if index + 1 < len(cells) else None
        if following is None or not is_instructor_only(following):
            findings.append((lesson.line(index), "written cell is not followed by an instructor-only mark-scheme cell", WARNING))
    return findings
