"""End to end through nbgrader and the Elixir kernel, on the pilot lesson.

A scratch copy of the course (never the repo's own submitted/ or
gradebook.db) gets a simulated class written from the release (the same
generator as `course demo`): the reference solution, the release as is,
partial work, every wrong answer of tests/fixtures/wrong_answers, a
System.halt, a top-level raise, two infinite loops and a malformed file. It is
graded once with `course autograde --jobs 2`, then feedback and the class
report are written; each claim is a subtest of that one run (one test, so
pytest-xdist never splits the expensive run across workers). A second
scratch copy compares `course autograde --jobs 2` with `nbgrader autograde`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from course.authoring.regions import HIDDEN_TESTS, lines_inside
from course.grading import commands, demo_class, results
from course.grading.course_root import Course
from course.grading.scratch_course import copy_course, make_scratch_course

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "day2-03-changesets-and-validations"
VENV_BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}

pytestmark = pytest.mark.skipif(not (REPO / "lessons" / f"{ASSIGNMENT}.md").is_file(),
                                reason="the pilot lesson is not written yet")


def require_elixir_kernel() -> None:
    listing = subprocess.run([str(VENV_BIN / "jupyter"), "kernelspec", "list"], capture_output=True, text=True,
                             env=ENV).stdout
    assert "elixir" in listing, "the `elixir` kernelspec is not installed in .venv: run `make setup`"


def cli(course: Course, command: str, *args: str):
    return CliRunner().invoke(getattr(commands, command), [*args, "--root", str(course.root)],
                              catch_exceptions=False)


def student_with(plans, suffix: str) -> str:
    return next(p.student for p in plans if p.student.endswith(suffix))


def code_scores(scores, student: str) -> dict[str, tuple[float, float]]:
    mine = scores[(scores.student == student) & (scores.cell_type == "code")]
    return {r.cell: (r.auto_score, r.max_score) for r in mine.itertuples()}


def hidden_test_lines(notebook) -> list[str]:
    return [line for cell in notebook.cells for line in lines_inside(cell.source, HIDDEN_TESTS)
            if len(line) > 6 and line not in ("end", "end)")]


def test_a_simulated_class_through_nbgrader(tmp_path, subtests):
    """One grading run of the whole simulated class; each claim is a subtest."""
    require_elixir_kernel()
    course = make_scratch_course(REPO, tmp_path / "course", [ASSIGNMENT])
    lesson = demo_class.load_lesson(course, ASSIGNMENT)
    plans = demo_class.plan_class(lesson)
    demo_class.write_class(course, lesson, plans)
    graded = cli(course, "autograde", ASSIGNMENT, "--jobs", "2")
    scores = results.cell_scores(course, ASSIGNMENT)

    with subtests.test("every submission is graded except the malformed one, which is reported"):
        assert graded.exit_code == 1, graded.output
        assert "Traceback" not in graded.output and "not valid JSON" in graded.output
        malformed = student_with(plans, "-malformed")
        status = results.submission_status(course, ASSIGNMENT).set_index("student").status
        assert status[malformed] == "malformed"
        assert (status.drop(malformed) == "graded").all(), status[status != "graded"]
        logs = "".join(p.read_text() for p in course.path("reports", ASSIGNMENT, "autograde-logs").glob("*.log"))
        assert "database is locked" not in logs

    with subtests.test("the reference solution scores full points"):
        perfect = code_scores(scores, student_with(plans, "-perfect"))
        assert len(perfect) >= 3
        assert all(score == max_score for score, max_score in perfect.values()), perfect

    with subtests.test("the release handed back as is scores 0"):
        blank = code_scores(scores, student_with(plans, "-blank"))
        assert blank and all(score == 0 for score, _ in blank.values()), blank

    with subtests.test("every wrong answer loses points in the cells it names"):
        wrong = [p for p in plans if "-wrong-" in p.student]
        assert len(wrong) == len(lesson.variants) >= 3
        for plan in wrong:
            mine = code_scores(scores, plan.student)
            for cell in plan.loses:
                assert mine[cell][0] < mine[cell][1], f"{plan.student} kept full points in {cell}"

    with subtests.test("crashing and looping submissions are graded, not left needing autograding"):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        config = course.nbgrader_config()
        api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
        autograded = api.get_autograded_students(ASSIGNMENT)  # nbgrader's own notion
        for suffix in ("-halts", "-raises", "-loops", "-loops-in-function"):
            student = student_with(plans, suffix)
            assert student in autograded, student
            mine = code_scores(scores, student)
            assert all(score == score for score, _ in mine.values()), (student, mine)  # no NaN
        for suffix in ("-loops", "-loops-in-function", "-raises"):  # they cost their own exercise only
            mine = code_scores(scores, student_with(plans, suffix))
            earned, worth = sum(s for s, _ in mine.values()), sum(m for _, m in mine.values())
            assert earned > 0, f"{suffix} lost every exercise, not only its own: {mine}"
            assert earned < worth, f"{suffix} kept full points: {mine}"

    with subtests.test("feedback pages never show hidden tests or test code"):
        done = cli(course, "feedback", ASSIGNMENT)
        assert done.exit_code == 0, done.output
        source = nbformat.read(course.path("source", ASSIGNMENT, f"{ASSIGNMENT}.ipynb"), as_version=4)
        hidden = hidden_test_lines(source)
        assert len(hidden) > 10
        pages = sorted(course.path("feedback").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html"))
        assert {p.parts[-3] for p in pages} == {p.student for p in plans}
        for page in pages:
            html = page.read_text()
            leaked = [line for line in hidden if line in html]
            assert not leaked, (page, leaked[:3])
            assert "Grade.run" not in html and "HIDDEN TESTS" not in html
        perfect = course.path("feedback", student_with(plans, "-perfect"), ASSIGNMENT,
                              f"{ASSIGNMENT}.html").read_text()
        assert "awaiting manual grading" in perfect and "✓" in perfect and "hidden" in perfect

    with subtests.test("the class report has its charts, CSV and the students needing attention"):
        done = cli(course, "report", ASSIGNMENT)
        assert done.exit_code == 0, done.output
        folder = course.path("reports", ASSIGNMENT)
        for name in ("index.html", "grades.csv", "score-distribution.png", "test-pass-rates.png",
                     "exercise-means.png"):
            assert (folder / name).stat().st_size > 0, name
        grades = (folder / "grades.csv").read_text()
        assert all(p.student in grades for p in plans)
        page = (folder / "index.html").read_text()
        assert student_with(plans, "-blank") in page and student_with(plans, "-malformed") in page


def gradebook_rows(course: Course) -> dict:
    frame = results.cell_scores(course, ASSIGNMENT)
    return {(r.student, r.cell): (None if r.auto_score != r.auto_score else r.auto_score, r.needs_manual_grade)
            for r in frame.itertuples()}


def test_parallel_and_sequential_grading_agree(tmp_path):
    require_elixir_kernel()
    parallel = make_scratch_course(REPO, tmp_path / "parallel", [ASSIGNMENT])
    lesson = demo_class.load_lesson(parallel, ASSIGNMENT)
    wanted = ("-perfect", "-blank", "-mostly-done", "-halts", "-raises")
    plans = [p for p in demo_class.plan_class(lesson) if p.student.endswith(wanted)]
    plans += [p for p in demo_class.plan_class(lesson) if "-wrong-" in p.student][::7]
    demo_class.write_class(parallel, lesson, plans)
    sequential = copy_course(parallel, tmp_path / "sequential")

    result = cli(parallel, "autograde", ASSIGNMENT, "--jobs", "2")
    assert result.exit_code == 0, result.output
    done = subprocess.run([str(VENV_BIN / "nbgrader"), "autograde", ASSIGNMENT], cwd=sequential.root,
                          capture_output=True, text=True, env=ENV)
    assert done.returncode == 0, done.stderr[-3000:]

    expected = gradebook_rows(sequential)
    assert len({student for student, _ in expected}) == len(plans)
    assert gradebook_rows(parallel) == expected
