"""How the last `course autograde` went for each student: a small JSON file beside the report.

nbgrader's gradebook knows scores, not why a submission could not be graded;
the class report and the hostile-submission tests read the reason from here.
Kept apart from `results` so writing it never imports pandas.
"""

from __future__ import annotations

import json
from pathlib import Path

from course.grading.course_root import Course

STATUS_FILE = "autograde-status.json"


def write_status(course: Course, assignment: str, outcomes) -> Path:
    """Remember how the last `course autograde` went per student (for reports)."""
    path = course.path("reports", assignment, STATUS_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = read_status(course, assignment)
    for outcome in outcomes:
        previous[outcome.student] = {"status": outcome.status, "message": outcome.message,
                                     "seconds": round(outcome.seconds, 2)}
    path.write_text(json.dumps(previous, indent=2, sort_keys=True), encoding="utf-8")
    return path


def read_status(course: Course, assignment: str) -> dict:
    path = course.path("reports", assignment, STATUS_FILE)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
