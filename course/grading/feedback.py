"""Feedback pages for students: feedback/STUDENT/ID/NOTEBOOK.html.

nbgrader's `generate_feedback` renders the whole autograded notebook, hidden
tests included, so a student would read the hidden tests' code. These pages
are built from results only: the gradebook's scores and the `Grade` helper's
`course_grade` metadata (test name, points, status, a short message). No test
cell's source is ever written. As a last guard every message is checked
against the hidden-test lines of the source notebook and withheld if it
quotes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd

from course.authoring.regions import HIDDEN_TESTS, lines_inside
from course.grading import results
from course.grading.course_root import Course
from course.grading.html_page import esc, page, points, table

WITHHELD = "(details withheld: the message quoted a hidden test)"
_TRIVIAL = {"end", "do", "end)", "end,", "fn", ")", "]", "}", "else"}


class HiddenTestGuard:
    """Knows the hidden-test lines of the source notebooks; withholds any
    message that contains one."""

    def __init__(self, notebooks):
        self.lines: set[str] = set()
        for notebook in notebooks:
            for cell in notebook.cells:
                self.lines.update(text for text in lines_inside(cell.source, HIDDEN_TESTS)
                                  if len(text) >= 8 and text not in _TRIVIAL)

    def clean(self, message: str) -> str:
        if not message:
            return ""
        if any(line in message for line in self.lines):
            return WITHHELD
        return message


@dataclass
class FeedbackContext:
    course: Course
    assignment: str
    scores: pd.DataFrame
    guard: HiddenTestGuard
    titles: dict[str, dict[str, str]]  # notebook -> grade_id -> section title
    headings: dict[str, str]  # notebook -> lesson title


def lesson_title(notebook, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _test_rows(result: dict, guard: HiddenTestGuard) -> list[list[str]]:
    rows = []
    for test in result.get("tests", []):
        passed = test.get("status") == "passed"
        mark = '<span class="pass">✓</span>' if passed else '<span class="fail">✗</span>'
        badges = ' <span class="badge hidden">hidden</span>' if test.get("hidden") else ""
        if test.get("status") == "timeout":
            badges += ' <span class="badge warn">timed out</span>'
        message = "" if passed else guard.clean(str(test.get("message") or ""))
        rows.append([mark, esc(test.get("name", "")) + badges,
                     f"{points(test.get('earned', 0))} / {points(test.get('points', 0))}",
                     f'<span class="msg">{esc(message)}</span>'])
    return rows


def solution_errors_note(errors: list[tuple[str, str]], guard: HiddenTestGuard) -> str:
    """Errors raised by the student's own code cells above a tests cell."""
    if not errors:
        return ""
    items = "".join(f"<li><code>{esc(grade_id)}</code>: {esc(guard.clean(error))}</li>" for grade_id, error in errors)
    return f'<div class="bad-note">Your code above stopped with an error, which may explain failures:<ul>{items}</ul></div>'


def tests_card(cell, title: str, score_row, ctx: FeedbackContext, solution_errors=()) -> str:
    grade_id = cell.metadata["nbgrader"]["grade_id"]
    score = score_row.score if score_row is not None else 0.0
    max_score = score_row.max_score if score_row is not None else cell.metadata["nbgrader"].get("points")
    head = f"<h3><span>{esc(title)}</span><span>{points(score)} / {points(max_score)}</span></h3>"
    result = results.grade_result(cell)
    if result and result.get("tests"):
        body = table(["", "Test", "Points", "What went wrong"], _test_rows(result, ctx.guard), numeric={2})
    else:
        error = results.cell_error(cell)
        reason = ctx.guard.clean(error) if error else "the cell produced no test results."
        body = (f'<p class="bad-note">The tests of this exercise could not run, so it scores 0. '
                f'Reason: {esc(reason)}</p>')
    note = solution_errors_note(list(solution_errors), ctx.guard)
    return f'<div class="card" id="{esc(grade_id)}">{head}{note}{body}</div>'


def written_card(cell, title: str, score_row) -> str:
    answer = cell.source.strip()
    max_score = score_row.max_score if score_row is not None else cell.metadata["nbgrader"].get("points")
    if score_row is not None and pd.notna(score_row.manual_score):
        status = f'<p>Manual score: <b>{points(score_row.manual_score)} / {points(max_score)}</b></p>'
        right = f"{points(score_row.manual_score)} / {points(max_score)}"
    elif score_row is not None and score_row.auto_score == 0 and not score_row.needs_manual_grade:
        answer, status = "", '<p class="note">No answer was given.</p>'
        right = f"0 / {points(max_score)}"
    else:
        status = '<p class="note">Written answer: awaiting manual grading.</p>'
        right = f"– / {points(max_score)}"
    head = f"<h3><span>{esc(title)} <span class=\"badge\">written</span></span><span>{right}</span></h3>"
    shown = f'<div class="answer">{esc(answer)}</div>' if answer else ""
    return f'<div class="card">{head}{shown}{status}</div>'


def graded_page(ctx: FeedbackContext, student: str, name: str, notebook) -> str:
    mine = ctx.scores[(ctx.scores.student == student) & (ctx.scores.notebook == name)]
    by_cell = {row.cell: row for row in mine.itertuples()}
    titles = ctx.titles.get(name, {})
    cards, errors_above = [], []
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and not meta.get("grade"):
            error = results.cell_error(cell)
            if error:
                errors_above.append((meta.get("grade_id", "your code"), error))
        if not meta.get("grade"):
            continue
        grade_id = meta.get("grade_id")
        title = titles.get(grade_id, grade_id)
        if cell.cell_type == "markdown":
            cards.append(written_card(cell, title, by_cell.get(grade_id)))
        elif results.is_grade_code_cell(cell):
            cards.append(tests_card(cell, title, by_cell.get(grade_id), ctx, errors_above))
            errors_above = []
        else:  # an autograded answer cell: score only
            row = by_cell.get(grade_id)
            cards.append(f'<div class="card"><h3><span>{esc(title)}</span><span>'
                         f'{points(row.score if row is not None else 0)} / {points(meta.get("points"))}'
                         f'</span></h3></div>')
    total = mine.score.sum() if not mine.empty else 0.0
    max_total = mine.max_score.sum() if not mine.empty else 0.0
    pending = mine[(mine.cell_type == "markdown") & mine.manual_score.isna() & mine.needs_manual_grade]
    note = ""
    if not pending.empty:
        note = (f'<p class="note">{points(pending.max_score.sum())} point(s) of written answers are awaiting '
                'manual grading; the score will go up when a TA grades them.</p>')
    body = (f"<h1>{esc(ctx.headings.get(name, name))}</h1>"
            f'<p class="sub">Feedback for <b>{esc(student)}</b> · {esc(ctx.assignment)} / {esc(name)}.ipynb</p>'
            f'<p class="score">Score: {points(total)} / {points(max_total)}</p>{note}'
            "<h2>Exercises</h2>" + "".join(cards))
    return page(f"{student} · {name}", body, "Hidden tests show their name and result only.")


def ungraded_page(ctx: FeedbackContext, student: str, name: str, status: str, message: str) -> str:
    what = "could not be read" if status == "malformed" else "could not be graded automatically"
    body = (f"<h1>{esc(ctx.headings.get(name, name))}</h1>"
            f'<p class="sub">Feedback for <b>{esc(student)}</b> · {esc(ctx.assignment)} / {esc(name)}.ipynb</p>'
            f'<p class="bad-note">Your submission {what}: {esc(ctx.guard.clean(message))}</p>'
            "<p>Your TA has been told and will look at it. You may be asked to hand it in again.</p>")
    return page(f"{student} · {name}", body)


def write_feedback(course: Course, assignment: str, students: list[str] | None = None) -> list[Path]:
    """Write a page per submitted student and notebook; return their paths."""
    sources = results.source_notebooks(course, assignment)
    scores = results.cell_scores(course, assignment)
    ctx = FeedbackContext(course, assignment, scores, HiddenTestGuard(sources.values()),
                          {n: results.cell_titles(nb) for n, nb in sources.items()},
                          {n: lesson_title(nb, n) for n, nb in sources.items()})
    graded = results.autograded_notebooks(course, assignment)
    written = []
    for row in results.submission_status(course, assignment, scores).itertuples():
        if students and row.student not in students:
            continue
        for name in sources:
            path = course.path("feedback", row.student, assignment, f"{name}.html")
            path.parent.mkdir(parents=True, exist_ok=True)
            if row.status == "graded" and (row.student, name) in graded:
                notebook = nbformat.read(graded[(row.student, name)], as_version=4)
                html = graded_page(ctx, row.student, name, notebook)
            else:
                html = ungraded_page(ctx, row.student, name, row.status, row.message)
            path.write_text(html, encoding="utf-8")
            written.append(path)
    return written
