"""Students check their work and TAs grade, in JupyterLab with nbgrader's lab
extensions: validate (CLI, assignment list, notebook toolbar), the formgrader
(manual grade of a written answer, saved to gradebook.db), and the `course
feedback` / `course report` pages opened in the browser."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from browser_course import ASSIGNMENT, REPO, STUDENT, course_id
from notebook_ui import Notebook, open_jupyterlab

pytestmark = pytest.mark.xdist_group("browser")

WRITTEN_ANSWER = "q1-validation-vs-constraint"
VALIDATE_TIMEOUT = 180_000  # ms: validate runs the whole lesson on a fresh kernel


def released_cells(cell_type: str) -> list[nbformat.NotebookNode]:
    """The released lesson's graded cells of one type: "code" for Elixir test
    cells, "markdown" for written answers."""
    notebook = nbformat.read(REPO / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return [c for c in notebook.cells
            if c.cell_type == cell_type and c.metadata.get("nbgrader", {}).get("grade")]


def first_test_name(cell) -> str:
    return re.search(r'test "((?:[^"\\]|\\.)*)"', cell.source).group(1).replace('\\"', '"')


def assert_reports_the_unsolved_stub(report: str) -> None:
    """nbgrader's validation of the untouched release names every Elixir test
    cell (their tests fail on the "not implemented yet" stubs) and every
    unanswered written question, and nothing else."""
    tests, written = released_cells("code"), released_cells("markdown")
    assert tests and written
    assert report.count("The following cell failed") == len(tests) + len(written), report
    for cell in tests:
        assert first_test_name(cell) in report, (first_test_name(cell), report)
    assert report.count("You did not provide a response") == len(written), report


def test_nbgrader_validate_lists_the_failing_tests_of_the_released_stub(cli_validations):
    assert_reports_the_unsolved_stub(cli_validations["stub"])


def test_nbgrader_validate_passes_a_solved_notebook(cli_validations):
    assert "Success! Your notebook passes all the tests." in cli_validations["solved"], cli_validations["solved"]


def test_validate_buttons_run_the_elixir_tests(page, lab, released_course):
    # The instructor released the lesson to the (private) exchange; the student fetches it.
    open_jupyterlab(page, lab.url())
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
    page.locator(".lm-Menu-item[data-command='nbgrader:open-assignment-list']").click()
    released = page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
    released.locator("button", has_text="Fetch").click()
    fetched = page.locator("#fetched_assignments_list")
    expect(fetched.locator(".assignment-notebooks-link", has_text=ASSIGNMENT)).to_be_visible(timeout=120_000)
    expect(page.locator("#fetched_assignments_list_loading")).to_be_hidden()
    validate_button = fetched.locator("button", has_text="Validate")
    for _ in range(3):  # the list may re-render (collapsed) right after the fetch
        fetched.locator(".assignment-notebooks-link", has_text=ASSIGNMENT).click()
        try:
            expect(validate_button).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            continue

    # The assignment list's Validate button.
    validate_button.click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("Validation Results", timeout=VALIDATE_TIMEOUT)
    assert_reports_the_unsolved_stub(dialog.inner_text())
    dialog.locator("button.jp-mod-accept").click()
    expect(dialog).to_be_hidden()

    # The notebook toolbar's Validate button, on the fetched notebook.
    fetched_notebook = f"{course_id(lab.root)}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"  # where the fetch put it
    assert (lab.root / fetched_notebook).is_file(), sorted(p.name for p in lab.root.iterdir())
    notebook = Notebook(page).open(lab.url(tree=fetched_notebook))
    notebook.page.locator(".jp-NotebookPanel-toolbar .jp-ToolbarButton", has_text="Validate").click()
    expect(dialog).to_contain_text("Validation Results", timeout=VALIDATE_TIMEOUT)
    assert_reports_the_unsolved_stub(dialog.inner_text())


def gradebook_row(course_root: Path, cell: str) -> dict:
    """STUDENT's grade of one graded cell in gradebook.db, with the TA's comment on it."""
    with sqlite3.connect(course_root / "gradebook.db") as db:
        db.row_factory = sqlite3.Row
        row = db.execute(
            """SELECT g.auto_score, g.manual_score, g.needs_manual_grade, c.manual_comment
               FROM grade g
               JOIN base_cell b ON g.cell_id = b.id
               JOIN submitted_notebook n ON g.notebook_id = n.id
               JOIN submitted_assignment a ON n.assignment_id = a.id
               LEFT JOIN base_cell cb ON cb.name = b.name AND cb.notebook_id = b.notebook_id
                                       AND cb.type = 'SolutionCell'
               LEFT JOIN comment c ON c.cell_id = cb.id AND c.notebook_id = n.id
               WHERE a.student_id = ? AND b.name = ? AND b.type = 'GradeCell'""", (STUDENT, cell)).fetchone()
    return dict(row)


def test_formgrader_grades_a_written_answer(page, lab, graded_course):
    before = gradebook_row(graded_course, WRITTEN_ANSWER)
    assert before["needs_manual_grade"] and before["manual_score"] is None, before

    open_jupyterlab(page, lab.url())
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
    page.locator(".lm-Menu-item[data-command='nbgrader:open-formgrader']").click()
    formgrader = page.frame_locator("iframe[src*='formgrader']")
    # Manage Assignments lists the Elixir assignment and its one submission.
    row = formgrader.locator("tr", has_text=ASSIGNMENT)
    expect(row).to_be_visible()
    expect(row.locator("a[href*='manage_submissions']")).to_have_text("1")
    # Manual Grading -> assignment -> notebook -> the submission.
    formgrader.locator("a", has_text="Manual Grading").first.click()
    formgrader.locator(f"td a[href$='/gradebook/{ASSIGNMENT}']").click()
    formgrader.locator(f"td a[href$='/gradebook/{ASSIGNMENT}/{ASSIGNMENT}']").click()
    formgrader.locator("a", has_text="Submission #1").click()

    # The autograded Elixir notebook: each test cell shows the score Grade.run gave it
    # (full points: the solved submission passes visible and hidden tests) and its ✓ report.
    score = formgrader.locator(f"input.score#{WRITTEN_ANSWER}")
    expect(score).to_be_visible()
    for cell in released_cells("code"):
        meta = cell.metadata["nbgrader"]
        expect(formgrader.locator(f"input.score#{meta['grade_id']}")).to_have_attribute(
            "placeholder", re.compile(rf"^{meta['points']:g}(\.0)?$"))
        report = formgrader.locator(f"div:has(> .input input.score#{meta['grade_id']}) > .output_wrapper")
        expect(report).to_contain_text(f"✓ {first_test_name(cell)}")

    # The TA scores a written answer and comments on it; both land in gradebook.db.
    score.fill("1.5")
    score.press("Tab")
    comment = formgrader.locator(f"textarea.comment#{WRITTEN_ANSWER}-comment")
    comment.fill("Right about races; say which constraint.")
    comment.press("Tab")
    deadline = time.monotonic() + 30
    while True:
        after = gradebook_row(graded_course, WRITTEN_ANSWER)
        if after["manual_score"] == 1.5 and after["manual_comment"]:
            break
        assert time.monotonic() < deadline, f"the manual grade was not saved: {after}"
        time.sleep(0.5)
    assert not after["needs_manual_grade"], after
    assert after["manual_comment"] == "Right about races; say which constraint."


def test_feedback_and_class_report_open_with_charts(page, graded_course):
    # `course feedback` and `course report` ran after the autograde (browser_course.grade_course).
    feedback = graded_course / "feedback" / STUDENT / ASSIGNMENT / f"{ASSIGNMENT}.html"
    page.goto(feedback.as_uri())
    body = page.locator("body")
    for cell in released_cells("code"):
        expect(body).to_contain_text(first_test_name(cell))
    shown = body.inner_text()
    leaked = [line for line in hidden_test_lines() if line in shown]
    assert leaked == [], f"hidden test code in the student's feedback: {leaked}"
    assert_images_rendered(page)

    report = graded_course / "reports" / ASSIGNMENT / "index.html"
    page.goto(report.as_uri())
    expect(page.locator("h1")).to_contain_text(ASSIGNMENT)
    expect(page.locator("body")).to_contain_text(STUDENT)
    assert page.locator("img").count() >= 3, "the class report has its charts (score, pass rate, exercises)"
    assert_images_rendered(page)


def hidden_test_lines() -> list[str]:
    """The code lines of the source's hidden tests (assertions), which students never see."""
    notebook = nbformat.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    lines = []
    for cell in notebook.cells:
        hidden = re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", cell.source, flags=re.S)
        lines += [line.strip() for block in hidden for line in block.splitlines()
                  if line.strip().startswith(("assert", "refute"))]
    assert lines, "the pilot lesson has hidden tests"
    return lines


def assert_images_rendered(page) -> None:
    """Every <img> on the page has loaded and decoded: a chart, not a broken-image icon."""
    page.wait_for_function("() => Array.from(document.images).every(img => img.complete)")
    broken = page.evaluate(
        "() => Array.from(document.images).filter(img => !(img.naturalWidth > 0)).map(img => img.src)")
    assert broken == [], f"images that did not render: {broken}"
