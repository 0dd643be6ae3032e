"""Roster import: a registrar's students.csv -> students in the gradebook.

A term starts with a class list. nbgrader can add students one at a time
(`nbgrader db student add`) or import a CSV (`nbgrader db student import`),
but its import stops at the first bad row and says little. Here every row is
checked first, every bad row is reported with its line number and reason
(missing id, bad email, duplicate id), and the good rows are still imported,
so one typo does not hold up the class.

Columns (header required, names case-insensitive, spaces/underscores alike):
`id`, `first name`, `last name`, `email`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from course.grading.course_root import Course, CourseError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# nbgrader uses student ids as folder names and in exchange file names
# ("STUDENT+ASSIGNMENT+TIMESTAMP"): no path separators, no '+'.
STUDENT_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")

COLUMNS = {
    "id": "id", "student_id": "id", "student": "id",
    "first_name": "first_name", "firstname": "first_name", "first": "first_name",
    "last_name": "last_name", "lastname": "last_name", "last": "last_name",
    "email": "email", "e-mail": "email",
}


@dataclass(frozen=True)
class Student:
    id: str
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def _column(name: str) -> str | None:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return COLUMNS.get(key) or COLUMNS.get(key.replace("_", ""))


def read_roster(path: Path) -> tuple[list[Student], list[BadRow]]:
    """Parse and check a roster CSV: (good students, bad rows). Raises
    CourseError when the file itself is unusable (missing, no id column)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CourseError(f"The roster file {path} does not exist.") from None
    except UnicodeDecodeError:
        raise CourseError(f"The roster file {path} is not UTF-8 text; save it as CSV (UTF-8).") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if not header:
        raise CourseError(f"The roster file {path} is empty: expected a header line id,first name,last name,email.")
    fields = [_column(h) for h in header]
    if "id" not in fields:
        raise CourseError(f"The roster file {path} has no id column in its header ({', '.join(header)}); "
                          "expected id,first name,last name,email.")
    good: list[Student] = []
    bad: list[BadRow] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {f: (row[i].strip() if i < len(row) else "") for i, f in enumerate(fields) if f}
        sid, email = values.get("id", ""), values.get("email", "")
        if not sid:
            bad.append(BadRow(line, "the student id is missing."))
        elif not STUDENT_ID.match(sid):
            bad.append(BadRow(line, f"the student id '{sid}' may only hold letters, digits, '.', '_' and '-'."))
        elif sid in seen:
            bad.append(BadRow(line, f"the student id '{sid}' is a duplicate of line {seen[sid]}."))
        elif email and not EMAIL.match(email):
            bad.append(BadRow(line, f"the email '{email}' of student '{sid}' is not an email address."))
        else:
            seen[sid] = line
            good.append(Student(sid, values.get("first_name", ""), values.get("last_name", ""), email))
    return good, bad


def import_students(course: Course, students: list[Student]) -> tuple[int, int]:
    """Add or update students in the course gradebook: (added, updated)."""
    from nbgrader.api import Gradebook, MissingEntry

    added = updated = 0
    with Gradebook(course.db_url, course.course_id) as gb:
        for s in students:
            try:
                gb.find_student(s.id)
                updated += 1
            except MissingEntry:
                added += 1
            gb.update_or_create_student(s.id, first_name=s.first_name or None, last_name=s.last_name or None,
                                        email=s.email or None)
    return added, updated
