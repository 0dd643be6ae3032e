"""Small, fast checks of the grading stage's helpers (no kernel, no nbgrader run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

from course.grading import demo_class, failure_reasons, results
from course.grading.course_root import sqlite_url_with_timeout
from course.grading.feedback import WITHHELD, HiddenTestGuard
from course.grading.submissions import notebook_problem


def test_gradebook_url_gets_an_absolute_path_and_a_busy_timeout(tmp_path):
    url = sqlite_url_with_timeout("sqlite:///gradebook.db", tmp_path)
    assert url == f"sqlite:///{tmp_path}/gradebook.db?timeout=60"
    assert sqlite_url_with_timeout("sqlite:////x/g.db?timeout=5", tmp_path) == "sqlite:////x/g.db?timeout=5"
    assert sqlite_url_with_timeout("postgresql://h/db", tmp_path) == "postgresql://h/db"


def test_malformed_notebooks_are_described_in_a_sentence(tmp_path: Path):
    bad_json = tmp_path / "a.ipynb"
    bad_json.write_text('{"cells": [')
    assert "not valid JSON" in notebook_problem(bad_json)
    not_notebook = tmp_path / "b.ipynb"
    not_notebook.write_text('{"hello": 1}')
    assert "not a notebook" in notebook_problem(not_notebook)
    good = tmp_path / "c.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), good)
    assert notebook_problem(good) is None


def test_failure_reasons_are_sentences_without_tracebacks():
    log = "[ERROR] Traceback (most recent call last):\n  File x\nnbclient.exceptions.DeadKernelError: Kernel died\n"
    assert "kernel died" in failure_reasons.explain(log)
    assert "stopped responding" in failure_reasons.explain("UnresponsiveKernelError")
    assert "while starting" in failure_reasons.explain("RuntimeError: Kernel died before replying to kernel_info")
    odd = failure_reasons.explain("Traceback\n  File y\nKeyError: 'grade_id'\n")
    assert odd.startswith("nbgrader stopped with KeyError") and "Traceback" not in odd


def test_hidden_test_guard_withholds_messages_quoting_hidden_code():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        'Grade.run do\n  ### BEGIN HIDDEN TESTS\n  assert secret_function(42) == :hidden_answer\n'
        '  ### END HIDDEN TESTS\nend')]
    guard = HiddenTestGuard([nb])
    assert guard.clean("expected :ok, got :error") == "expected :ok, got :error"
    assert guard.clean("code: assert secret_function(42) == :hidden_answer") == WITHHELD


def test_titles_come_from_headings_not_code_blocks_or_instructor_notes():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Exercise 1: cast (8 points)\n```elixir\n# not a heading\n```"),
        nbformat.v4.new_code_cell("x", metadata={"nbgrader": {"grade_id": "ex1-tests", "grade": True}}),
        nbformat.v4.new_markdown_cell("## Teaching notes", metadata={"tags": ["instructor-only"]}),
        nbformat.v4.new_markdown_cell("## Discussion\n**Question 2.** Why?"),
        nbformat.v4.new_markdown_cell("answer", metadata={"nbgrader": {"grade_id": "q2", "grade": True,
                                                                       "solution": True}}),
    ]
    assert results.cell_titles(nb) == {"ex1-tests": "Exercise 1: cast", "q2": "Discussion: Question 2"}


def test_demo_student_ids_and_loop_injection():
    assert demo_class.slug("validations-replace-errors-and-reset-valid") == "validations-replace-errors-and"
    for student in ("ada-perfect", "jade-wrong-cast-keeps-unpermitted-keys", "wes-mixed-3", "hana-loops-in-function"):
        assert demo_class.DEMO_STUDENT.match(student), student
    assert not demo_class.DEMO_STUDENT.match("real-student")
    code = "defmodule A do\n  def a(x), do: x\n  def b(x) do\n    x\n  end\nend\n"
    looped = demo_class.loop_inside_last_function(code)
    assert looped.index(demo_class.LOOP_FOREVER) > looped.index("def b(x) do")
    assert demo_class.strip_solution_markers("a\n  ### BEGIN SOLUTION\nb\n  ### END SOLUTION\n") == "a\nb\n"


GRADEBOOK_ENGINE_CHECK = """
import sys
from nbgrader.api import Gradebook
from course.grading.gradebook_engines import reuse_gradebook_engines

url = sys.argv[1]
reuse_gradebook_engines()
reuse_gradebook_engines()  # twice is harmless: still one engine per URL
with Gradebook(url, "c") as outer:
    with Gradebook(url, "c") as inner:
        assert inner.engine is outer.engine, "a second gradebook got its own engine"
        inner.add_student("ada")
    # closing `inner` disposed of the shared pool; `outer` must still work
    assert outer.find_student("ada").id == "ada"
    outer.add_student("ben")
with Gradebook(url, "c") as again:
    assert sorted(s.id for s in again.students) == ["ada", "ben"]
print("shared")
"""


def test_grading_workers_share_one_engine_per_gradebook(tmp_path):
    # its own process: the change is process-wide, as in a grading worker
    url = f"sqlite:///{tmp_path}/gradebook.db?timeout=60"
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])  # nbgrader runs alembic
    done = subprocess.run([sys.executable, "-c", GRADEBOOK_ENGINE_CHECK, url], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], env={**os.environ, "PATH": path})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "shared"
