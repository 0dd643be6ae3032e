"""The course schedule: one file with every assignment's due date.

Due dates live in one text file (`course/schedule.yml`, reviewed like any
other course text) rather than in each instructor's gradebook by hand. They
are copied into the gradebook's `assignment.duedate` (where `nbgrader
autograde` reads them to decide lateness) by `course schedule` and again by
`course publish`, so a date changed in the file is in force from the next
release or grading run.

Format:

    timezone: Europe/Berlin        # for dates written without an offset
    assignments:
      day2-01-intro-to-ecto: 2026-01-16 23:59
      kata-104-query-optimization: 2026-02-06T23:59:00+01:00

Every id must be an assignment of the course (a `lessons/ID.md`, or a
`source/ID/` folder in a course without lessons).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from course.grading.course_root import Course, CourseError

DEFAULT_FILE = Path("course") / "schedule.yml"
ENV_VAR = "COURSE_SCHEDULE"


@dataclass(frozen=True)
class Schedule:
    path: Path
    due: dict[str, dt.datetime]  # assignment id -> due date, naive UTC (nbgrader's convention)

    def due_date(self, assignment: str) -> dt.datetime | None:
        return self.due.get(assignment)


def schedule_path(course: Course, path: Path | None = None) -> Path:
    """--schedule, else $COURSE_SCHEDULE, else ROOT/course/schedule.yml."""
    if path:
        return Path(path)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return course.root / DEFAULT_FILE


def known_assignments(course: Course) -> set[str]:
    lessons = course.path("lessons")
    ids = {p.stem for p in lessons.glob("*.md")} if lessons.is_dir() else set()
    return ids | set(course.assignment_ids())


def parse_due(value, zone: dt.tzinfo) -> dt.datetime:
    """A YAML date/datetime/string -> naive UTC datetime."""
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, dt.date):
        when = dt.datetime.combine(value, dt.time(23, 59))
    else:
        when = dt.datetime.fromisoformat(str(value).strip())
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None)


def load_schedule(course: Course, path: Path | None = None) -> Schedule:
    """Read and check the schedule file; every problem is one sentence."""
    file = schedule_path(course, path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise CourseError(f"The schedule file {file} does not exist (pass --schedule or set {ENV_VAR}).") from None
    except yaml.YAMLError as error:
        raise CourseError(f"The schedule file {file} is not valid YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("assignments"), dict):
        raise CourseError(f"The schedule file {file} needs an 'assignments:' mapping of assignment id to due date.")
    try:
        zone = ZoneInfo(str(data.get("timezone", "UTC")))
    except (ZoneInfoNotFoundError, ValueError):
        raise CourseError(f"The schedule file {file} names an unknown timezone '{data.get('timezone')}'.") from None
    known = known_assignments(course)
    unknown = sorted(str(a) for a in data["assignments"] if str(a) not in known)
    if unknown:
        raise CourseError(f"The schedule file {file} names assignments the course does not have: "
                          f"{', '.join(unknown)}.")
    due: dict[str, dt.datetime] = {}
    for assignment, value in data["assignments"].items():
        try:
            due[str(assignment)] = parse_due(value, zone)
        except (ValueError, TypeError):
            raise CourseError(f"The due date '{value}' of {assignment} in {file} is not a date "
                              "(write e.g. 2026-01-16 23:59 or 2026-01-16T23:59:00+01:00).") from None
    return Schedule(file, due)


def apply_due_dates(course: Course, schedule: Schedule, assignments: list[str] | None = None,
                    create: bool = False) -> dict[str, dt.datetime]:
    """Write due dates into the gradebook. Only `assignments` if given; only
    assignments already in the gradebook (released) unless `create`, so
    unreleased work does not appear in grade exports. Returns what was written."""
    from nbgrader.api import Gradebook

    chosen = {a: d for a, d in schedule.due.items() if assignments is None or a in assignments}
    written = {}
    with Gradebook(course.db_url, course.course_id) as gb:
        existing = {a.name for a in gb.assignments}
        for assignment, due in chosen.items():
            if create or assignment in existing:
                gb.update_or_create_assignment(assignment, duedate=due)
                written[assignment] = due
    return written
