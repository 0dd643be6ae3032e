"""A class's grading results as pandas frames: the one place results are read.

Two sources, each authoritative for one thing:
* the gradebook (nbgrader's `gradebook.db`) holds the scores: per student and
  grade cell, auto score, manual score, max and whether a human must look;
* the autograded notebooks hold the per-test detail: every test cell's
  `execute_result` carries `course_grade` metadata from the `Grade` helper
  (name, points, earned, hidden, status, message, already sanitised for
  hidden tests). The test cells' source is never read here.

Feedback pages and class reports are drawn from these frames only.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd

from course.grading.course_root import Course
from course.grading.grading_status import read_status
from course.grading.submissions import discover

SCORE_COLUMNS = ["student", "notebook", "cell", "cell_type", "max_score", "auto_score", "manual_score",
                 "score", "needs_manual_grade"]
TEST_COLUMNS = ["student", "notebook", "cell", "test", "hidden", "points", "earned", "status", "message"]


def cell_scores(course: Course, assignment: str) -> pd.DataFrame:
    """One row per (student, grade cell) from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    if course.db_url.startswith("sqlite:") and not course.path("gradebook.db").exists():
        return pd.DataFrame(columns=SCORE_COLUMNS)
    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            return pd.DataFrame(columns=SCORE_COLUMNS)
        for student in gb.students:
            try:
                submission = gb.find_submission(assignment, student.id)
            except MissingEntry:
                continue
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    row = grade.to_dict()
                    rows.append({
                        "student": student.id, "notebook": notebook.name, "cell": row["name"],
                        "cell_type": row["cell_type"], "max_score": row["max_score"],
                        "auto_score": row["auto_score"], "manual_score": row["manual_score"],
                        "score": grade.score, "needs_manual_grade": bool(row["needs_manual_grade"]),
                    })
    frame = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    for column in ("max_score", "auto_score", "manual_score", "score"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame.sort_values(["student", "notebook"], kind="stable").reset_index(drop=True)


def grade_result(cell) -> dict | None:
    """The `course_grade` metadata of a code cell's first execute_result, if any."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "execute_result":
            return output.get("metadata", {}).get("course_grade")
    return None


def cell_error(cell) -> str | None:
    """'Name: first line of value' of the cell's first error output, if any."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            value = (output.get("evalue") or "").strip().splitlines()
            return f"{output.get('ename', 'Error')}: {value[0][:200]}" if value else output.get("ename", "Error")
    return None


def autograded_notebooks(course: Course, assignment: str) -> dict[tuple[str, str], Path]:
    """(student, notebook) -> path of nbgrader's autograded notebook."""
    found = {}
    for path in sorted(course.path("autograded").glob(f"*/{assignment}/*.ipynb")):
        found[(path.parts[-3], path.stem)] = path
    return found


def is_grade_code_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and meta.get("grade", False) and not meta.get("solution", False)


def notebook_tests(notebook, student: str, name: str) -> list[dict]:
    """Per-test rows of one autograded notebook (tests cells with a result)."""
    rows = []
    for cell in notebook.cells:
        if not is_grade_code_cell(cell):
            continue
        result = grade_result(cell)
        if not result:
            continue
        for test in result.get("tests", []):
            rows.append({
                "student": student, "notebook": name, "cell": cell.metadata["nbgrader"]["grade_id"],
                "test": str(test.get("name", "")), "hidden": bool(test.get("hidden", False)),
                "points": float(test.get("points", 0) or 0), "earned": float(test.get("earned", 0) or 0),
                "status": str(test.get("status", "failed")), "message": str(test.get("message", "") or ""),
            })
    return rows


def test_results(course: Course, assignment: str) -> pd.DataFrame:
    """One row per (student, test) found in autograded notebooks' metadata."""
    rows = []
    for (student, name), path in autograded_notebooks(course, assignment).items():
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - a damaged output file only loses its detail
            continue
        rows.extend(notebook_tests(notebook, student, name))
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


def test_catalog(tests: pd.DataFrame) -> pd.DataFrame:
    """Every test seen in the class, in notebook order: cell, test, hidden, points."""
    if tests.empty:
        return pd.DataFrame(columns=["notebook", "cell", "test", "hidden", "points"])
    return tests.drop_duplicates(["notebook", "cell", "test"])[["notebook", "cell", "test", "hidden", "points"]] \
        .reset_index(drop=True)


def source_notebooks(course: Course, assignment: str) -> dict[str, nbformat.NotebookNode]:
    return {p.stem: nbformat.read(p, as_version=4)
            for p in sorted(course.path("source", assignment).glob("*.ipynb"))}


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
_QUESTION = re.compile(r"\*\*(Question\s+\d+)\.?\*\*")


def cell_titles(notebook) -> dict[str, str]:
    """grade_id -> a title for it: the section it sits in (the last heading
    above it, ignoring code blocks and instructor-only cells), plus the
    question's label ("Question 2") for a written answer."""
    titles, heading, question = {}, None, None
    for cell in notebook.cells:
        meta = cell.get("metadata", {})
        if "instructor-only" in meta.get("tags", []):
            continue
        nbgrader = meta.get("nbgrader", {})
        if cell.cell_type == "markdown" and not nbgrader.get("grade"):
            prose = _FENCE.sub("", cell.source)
            found = _HEADING.findall(prose)
            if found:
                heading, question = found[-1].strip(), None
            asked = _QUESTION.findall(prose)
            if asked:
                question = asked[-1]
        grade_id = nbgrader.get("grade_id")
        if grade_id:
            title = re.sub(r"\s*\(\d+(\.\d+)? points?\)$", "", heading) if heading else grade_id
            if question and cell.cell_type == "markdown" and nbgrader.get("grade"):
                title = f"{title}: {question}"
            titles[grade_id] = title
    return titles


def submission_status(course: Course, assignment: str, scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every submitted student: graded, failed (nbgrader could not grade) or malformed, with a reason."""
    scores = cell_scores(course, assignment) if scores is None else scores
    graded_notebooks = autograded_notebooks(course, assignment)
    remembered = read_status(course, assignment)
    rows = []
    for submission in discover(course, assignment):
        student = submission.student
        if not submission.readable:
            rows.append({"student": student, "status": "malformed", "message": " ".join(submission.problems)})
            continue
        mine = scores[(scores.student == student) & (scores.cell_type == "code")]
        has_notebook = any(key[0] == student for key in graded_notebooks)
        if has_notebook and not mine.empty and mine.auto_score.notna().all():
            rows.append({"student": student, "status": "graded", "message": ""})
        else:
            reason = remembered.get(student, {}).get("message") or "not autograded yet."
            rows.append({"student": student, "status": "failed", "message": reason})
    return pd.DataFrame(rows, columns=["student", "status", "message"])
