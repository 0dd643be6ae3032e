"""Grading mechanics on a small Python-kernel course (fast, no Elixir needed).

The pipeline (discover → parallel autograde → results → feedback → report)
does not depend on the kernel's language; a tiny course whose test cells
imitate the Elixir `Grade` helper (a float score plus `course_grade` result
metadata) lets these tests exercise every failure path in seconds: a dead
kernel, a cell timeout, a malformed notebook, concurrent gradebook writes.
The Elixir end-to-end proof is in test_grading_end_to_end.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
from click.testing import CliRunner

from course.authoring.regions import HIDDEN_TESTS, lines_inside
from course.grading import commands, results
from course.grading.course_root import Course
from course.grading.demo_class import write_submission

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
ASSIGNMENT = "toy"

HELPER = '''\
class _Result:
    def __init__(self, tests):
        self.tests = tests
    def _repr_mimebundle_(self, include=None, exclude=None):
        score = float(sum(t["earned"] for t in self.tests))
        data = {"text/plain": repr(score)}
        meta = {"course_grade": {"score": score, "max": float(sum(t["points"] for t in self.tests)),
                                 "tests": self.tests}}
        return data, meta

def grade(*tests):
    results = []
    for name, points, check, hidden in tests:
        try:
            ok, message = bool(check()), "expected a different value"
        except Exception as error:
            ok, message = False, f"{type(error).__name__}: {error}"
        print(("✓ " if ok else "✗ ") + name)
        results.append({"name": name, "points": points, "earned": points if ok else 0, "hidden": hidden,
                        "status": "passed" if ok else "failed", "message": "" if ok else message})
    return _Result(results)
'''

SOLUTIONS = {
    "add": "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION",
    "mul": "def mul(a, b):\n    ### BEGIN SOLUTION\n    return a * b\n    ### END SOLUTION",
}
TESTS = {
    "add": ('grade(\n    ("adds small numbers", 1, lambda: add(1, 2) == 3, False),\n'
            '    ### BEGIN HIDDEN TESTS\n'
            '    ("adds negative numbers secretly", 2, lambda: add(-40, -2) == -42, True),\n'
            '    ### END HIDDEN TESTS\n)'),
    "mul": ('grade(\n    ("multiplies", 1, lambda: mul(3, 4) == 12, False),\n'
            '    ### BEGIN HIDDEN TESTS\n'
            '    ("multiplies by zero hush", 1, lambda: mul(7, 0) == 0, True),\n'
            '    ### END HIDDEN TESTS\n)'),
}


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}
    cells = [nbformat.v4.new_markdown_cell("# Toy lesson"),
             nbformat.v4.new_code_cell(HELPER, metadata=_meta("helper", locked=True))]
    for name, points in (("add", 3), ("mul", 2)):
        cells.append(nbformat.v4.new_markdown_cell(f"## Exercise: {name}"))
        cells.append(nbformat.v4.new_code_cell(SOLUTIONS[name], metadata=_meta(f"{name}-solution", solution=True)))
        cells.append(nbformat.v4.new_code_cell(
            TESTS[name], metadata=_meta(f"{name}-tests", grade=True, locked=True, points=points)))
    cells.append(nbformat.v4.new_markdown_cell("## Discussion: why test?"))
    cells.append(nbformat.v4.new_markdown_cell(
        "### BEGIN SOLUTION\nTests prove code works.\n### END SOLUTION",
        metadata=_meta("why-written", grade=True, solution=True, points=2)))
    nb.cells = cells
    return nb


def make_toy_course(root: Path, cell_timeout: int = 6) -> Course:
    """A course folder with one released Python assignment and a gradebook."""
    root.mkdir(parents=True, exist_ok=True)
    config = (REPO / "nbgrader_config.py").read_text()
    config += f"\nc.Execute.timeout = {cell_timeout}\nc.ExecutePreprocessor.timeout = {cell_timeout}\n"
    (root / "nbgrader_config.py").write_text(config)
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(source_notebook(), root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    subprocess.run([str(VENV_BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"], cwd=root,
                   check=True, capture_output=True, env=ENV)
    return Course.open(root)


def solved(names):
    """Cell replacements solving exercises `names` (the release's stubs elsewhere)."""
    return {f"{n}-solution": SOLUTIONS[n].replace("    ### BEGIN SOLUTION\n", "").replace("\n    ### END SOLUTION", "")
            for n in names}


def release(course: Course):
    return nbformat.read(course.path("release", ASSIGNMENT, f"{ASSIGNMENT}.ipynb"), as_version=4)


def submit(course: Course, student: str, replace=None, text=None):
    path = course.path("submitted", student, ASSIGNMENT, f"{ASSIGNMENT}.ipynb")
    if text is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    else:
        write_submission(release(course), replace or {}, path)
    return path


CLASS = {
    "ada-perfect": solved(["add", "mul"]) | {"why-written": "Because tests show the code works."},
    "ben-blank": {},
    "cleo-partial": solved(["add"]),
    "dan-wrong": solved(["mul"]) | {"add-solution": "def add(a, b):\n    return a - b if a < 0 else a + b"},
    "kim-dies": solved(["mul"]) | {"add-solution": "import os\nos._exit(1)"},
    "mia-loops": solved(["mul"]) | {"add-solution": "while True:\n    pass"},
}


def run_cli(course: Course, *args):
    result = CliRunner().invoke(getattr(commands, args[0]), [*args[1:], "--root", str(course.root)],
                                catch_exceptions=False)
    return result


def test_toy_class_through_the_pipeline(tmp_path, subtests):
    """One grading run of a small class with every failure; each claim a subtest."""
    course = make_toy_course(tmp_path / "course")
    for student, replace in CLASS.items():
        submit(course, student, replace)
    submit(course, "olga-malformed", text='{"cells": [ this is not json')
    graded = run_cli(course, "autograde", ASSIGNMENT, "--jobs", "2")

    with subtests.test("autograde reports every student and exits 1 because some failed"):
        assert graded.exit_code == 1, graded.output
        assert "Traceback" not in graded.output
        for student in [*CLASS, "olga-malformed"]:
            assert student in graded.output
        assert "not valid JSON" in graded.output and "kernel died" in graded.output
        assert "5 graded, 1 could not be graded, 1 unreadable" in graded.output

    with subtests.test("scores in the gradebook"):
        scores = results.cell_scores(course, ASSIGNMENT).set_index(["student", "cell"])["auto_score"]
        assert scores["ada-perfect", "add-tests"] == 3 and scores["ada-perfect", "mul-tests"] == 2
        assert scores["ben-blank", "add-tests"] == 0 and scores["ben-blank", "mul-tests"] == 0
        assert scores["cleo-partial", "add-tests"] == 3 and scores["cleo-partial", "mul-tests"] == 0
        assert scores["dan-wrong", "add-tests"] == 1 and scores["dan-wrong", "mul-tests"] == 2
        # the looping cell is interrupted: it loses its exercise, keeps the rest
        assert scores["mia-loops", "add-tests"] == 0 and scores["mia-loops", "mul-tests"] == 2
        assert "olga-malformed" not in set(results.cell_scores(course, ASSIGNMENT)["student"])

    with subtests.test("per-test results come from the course_grade metadata"):
        tests = results.test_results(course, ASSIGNMENT)
        dan = tests[(tests.student == "dan-wrong") & (tests.cell == "add-tests")].set_index("test")
        assert dan.loc["adds small numbers", "status"] == "passed"
        assert dan.loc["adds negative numbers secretly", "status"] == "failed"
        assert bool(dan.loc["adds negative numbers secretly", "hidden"])

    with subtests.test("feedback hides hidden tests and all test code"):
        done = run_cli(course, "feedback", ASSIGNMENT)
        assert done.exit_code == 0, done.output
        source = nbformat.read(course.path("source", ASSIGNMENT, f"{ASSIGNMENT}.ipynb"), as_version=4)
        hidden = hidden_lines(source)
        assert hidden
        pages = list(course.path("feedback").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html"))
        assert {p.parts[-3] for p in pages} == {*CLASS, "olga-malformed"}
        for page in pages:
            html = page.read_text()
            for line in hidden:
                assert line not in html, (page, line)
            assert "grade(" not in html  # no test cell source at all
        ada = course.path("feedback", "ada-perfect", ASSIGNMENT, f"{ASSIGNMENT}.html").read_text()
        assert "5 / 7" in ada and "awaiting manual grading" in ada
        dan = course.path("feedback", "dan-wrong", ASSIGNMENT, f"{ASSIGNMENT}.html").read_text()
        assert "✗" in dan and "adds negative numbers secretly" in dan
        kim = course.path("feedback", "kim-dies", ASSIGNMENT, f"{ASSIGNMENT}.html").read_text()
        assert "could not be graded" in kim and "kernel died" in kim
        olga = course.path("feedback", "olga-malformed", ASSIGNMENT, f"{ASSIGNMENT}.html").read_text()
        assert "could not be read" in olga

    with subtests.test("class report"):
        done = run_cli(course, "report", ASSIGNMENT)
        assert done.exit_code == 0, done.output
        folder = course.path("reports", ASSIGNMENT)
        assert str(folder / "index.html") in done.output
        for name in ("index.html", "grades.csv", "score-distribution.png", "test-pass-rates.png"):
            assert (folder / name).is_file(), name
        grades = (folder / "grades.csv").read_text()
        assert "ada-perfect" in grades and "add-tests" in grades
        page = (folder / "index.html").read_text()
        for student in ("ben-blank", "kim-dies", "olga-malformed"):
            assert student in page  # needs attention
        assert "adds negative numbers secretly" in page


def hidden_lines(notebook) -> list[str]:
    """Meaningful lines between the hidden-test markers of every cell."""
    return [line for cell in notebook.cells for line in lines_inside(cell.source, HIDDEN_TESTS) if len(line) > 6]


def test_twenty_submissions_in_parallel_without_lock_errors(tmp_path):
    """Two workers writing one SQLite gradebook: nobody sees "database is locked"."""
    course = make_toy_course(tmp_path / "parallel")
    variants = [(solved(["add", "mul"]), 5), ({}, 0), (solved(["add"]), 3), (solved(["mul"]), 2),
                (solved(["mul"]) | {"add-solution": "def add(a, b):\n    return a - b if a < 0 else a + b"}, 3)]
    for i in range(20):
        submit(course, f"s{i:02d}", variants[i % len(variants)][0])
    result = run_cli(course, "autograde", ASSIGNMENT, "--jobs", "2")
    assert result.exit_code == 0, result.output
    logs = "".join(p.read_text() for p in course.path("reports", ASSIGNMENT, "autograde-logs").glob("*.log"))
    assert "database is locked" not in logs and "OperationalError" not in logs
    scores = results.cell_scores(course, ASSIGNMENT)
    code = scores[scores.cell_type == "code"].groupby("student").auto_score.sum()
    assert len(code) == 20
    for i in range(20):
        assert code[f"s{i:02d}"] == variants[i % len(variants)][1]


def test_usage_errors_exit_2(tmp_path):
    course = make_toy_course(tmp_path / "course")
    result = run_cli(course, "autograde", "no-such-assignment")
    assert result.exit_code == 2
    assert "no-such-assignment" in result.output and "Traceback" not in result.output
    result = run_cli(course, "autograde", ASSIGNMENT)
    assert result.exit_code == 2 and "No submissions" in result.output
    submit(course, "ada", solved(["add", "mul"]))
    result = run_cli(course, "autograde", ASSIGNMENT, "--student", "nobody")
    assert result.exit_code == 2 and "nobody" in result.output
