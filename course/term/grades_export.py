"""The registrar's CSV: one row per student, per-assignment and total.

nbgrader's `nbgrader export` writes one row per student *and* assignment with
raw score and late penalty in separate columns; a registrar wants one row per
student with the final numbers. Each assignment column is the score after the
late penalty (nbgrader's raw score minus its `late_submission_penalty`,
never below 0); a student with no submission gets 0. Assignments are those in
the gradebook (released), ordered by due date then id.

Columns: student_id, last_name, first_name, email, one per assignment,
total, max_total, percent, late_penalty (points lost to lateness, total).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from course.grading.course_root import Course, CourseError


def _points(x: float) -> str:
    return f"{round(x, 2):g}"


def grade_rows(course: Course, assignments: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """(header, rows) for the registrar CSV."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url, course.course_id) as gb:
        chosen = sorted(gb.assignments, key=lambda a: (a.duedate is None, a.duedate or 0, a.name))
        if assignments:
            missing = sorted(set(assignments) - {a.name for a in chosen})
            if missing:
                raise CourseError(f"Not in the gradebook (never released): {', '.join(missing)}.")
            chosen = [a for a in chosen if a.name in assignments]
        names = [a.name for a in chosen]
        max_total = sum(a.max_score for a in chosen)
        header = ["student_id", "last_name", "first_name", "email", *names, "total", "max_total", "percent",
                  "late_penalty"]
        rows = []
        for student in sorted(gb.students, key=lambda s: s.id):
            scores, lost = [], 0.0
            for name in names:
                try:
                    sub = gb.find_submission(name, student.id)
                except MissingEntry:
                    scores.append(0.0)
                    continue
                penalty = sub.late_submission_penalty or 0.0
                lost += penalty
                scores.append(max(0.0, (sub.score or 0.0) - penalty))
            total = sum(scores)
            percent = 100.0 * total / max_total if max_total else 0.0
            rows.append([student.id, student.last_name or "", student.first_name or "", student.email or "",
                         *map(_points, scores), _points(total), _points(max_total), _points(percent), _points(lost)])
    return header, rows


def write_grades(course: Course, output: Path | None, assignments: list[str] | None = None) -> tuple[str, int]:
    """Write the CSV to `output` (or return it as text when output is None)."""
    header, rows = grade_rows(course, assignments)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(buffer.getvalue(), encoding="utf-8")
    return buffer.getvalue(), len(rows)
