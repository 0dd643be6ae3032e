"""Authoring stage: text lessons (`lessons/ID.md`) -> nbgrader source notebooks -> releases.

Other stages and the tests call these functions rather than the CLI:

- `lesson_ids(root)`, `CourseLayout(root)`: which assignments exist and where their files live.
- `read_lesson(path)`: the lesson as jupytext reads it, with line numbers for every cell.
- `lint_lesson(lesson)`: the authoring rules, as `Problem`s (`lessons/ID.md:LINE: message`).
- `source_notebook(lesson)` / `notebook_bytes(nb)`: the nbgrader source notebook and its exact bytes.
- `analyse_tests_cell(source)`: the tests declared in a `Grade.run` cell and their points.
- `build_source(root, id)`, `check_source(root, id)`: write or compare `source/ID/ID.ipynb`.
- `release_assignment(root, id)`, `check_releases(root, ids)`: run nbgrader's generate_assignment
  (for real, or in a temporary copy to compare with the committed `release/`).
"""

from course.authoring.build import build_source, check_source, expected_source, notebook_bytes
from course.authoring.layout import CourseLayout, lesson_ids
from course.authoring.lint import lint_lesson, lint_path
from course.authoring.metadata import source_notebook
from course.authoring.problems import AuthoringError, Problem, UsageProblem
from course.authoring.reader import Lesson, read_lesson
from course.authoring.release import check_releases, release_assignment, verify_release
from course.authoring.tests_cell import analyse_tests_cell

__all__ = [
    "AuthoringError",
    "CourseLayout",
    "Lesson",
    "Problem",
    "UsageProblem",
    "analyse_tests_cell",
    "build_source",
    "check_releases",
    "check_source",
    "expected_source",
    "lesson_ids",
    "lint_lesson",
    "lint_path",
    "notebook_bytes",
    "read_lesson",
    "release_assignment",
    "source_notebook",
    "verify_release",
]
