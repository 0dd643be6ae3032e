"""A throw-away copy of the course for tests and benchmarks.

Grading writes class data (submitted/, autograded/, feedback/, reports/,
gradebook.db). Tests and benchmarks must never touch the real ones, so they
work in a scratch folder holding only what grading reads: the nbgrader
config, the lesson's text, its source and release notebooks and its wrong
answers. The assignment is registered in the scratch gradebook the standard
way, `nbgrader generate_assignment ID --force`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from course.grading.course_root import Course, CourseError


def _env() -> dict[str, str]:
    bin_dir = os.path.dirname(sys.executable)
    return {**os.environ, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}


def _run(args: list[str], cwd: Path, what: str) -> None:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=_env())
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise CourseError(f"{what} failed in {cwd} (exit code {done.returncode}):\n{tail}")


def make_scratch_course(repo: Path, dest: Path, assignments: list[str], cell_timeout: int | None = None) -> Course:
    """Copy what grading `assignments` needs from `repo` into `dest` and
    register them in a fresh gradebook there. Builds source/ID from
    lessons/ID.md (with `course build`) when the repo has no source yet.
    `cell_timeout` shortens nbgrader's per-cell timeout in the copy (tests
    with looping submissions need not wait the course's full timeout)."""
    dest.mkdir(parents=True, exist_ok=True)
    config = (repo / "nbgrader_config.py").read_text(encoding="utf-8")
    if cell_timeout:
        config += (f"\n# scratch copy: shorter per-cell timeout\nc.Execute.timeout = {cell_timeout}\n"
                   f"c.ExecutePreprocessor.timeout = {cell_timeout}\n")
    (dest / "nbgrader_config.py").write_text(config, encoding="utf-8")
    for assignment in assignments:
        lesson = repo / "lessons" / f"{assignment}.md"
        if lesson.is_file():
            (dest / "lessons").mkdir(exist_ok=True)
            shutil.copy2(lesson, dest / "lessons" / lesson.name)
        wrong = repo / "tests" / "fixtures" / "wrong_answers" / f"{assignment}.yml"
        if wrong.is_file():
            (dest / "tests" / "fixtures" / "wrong_answers").mkdir(parents=True, exist_ok=True)
            shutil.copy2(wrong, dest / "tests" / "fixtures" / "wrong_answers" / wrong.name)
        for folder in ("source", "release"):
            if (repo / folder / assignment).is_dir():
                shutil.copytree(repo / folder / assignment, dest / folder / assignment, dirs_exist_ok=True)
        if not (dest / "source" / assignment / f"{assignment}.ipynb").is_file():
            _run([sys.executable, "-m", "course.cli", "build", assignment, "--root", str(dest)], dest,
                 f"`course build {assignment}`")
        _run([os.path.join(os.path.dirname(sys.executable), "nbgrader"), "generate_assignment", assignment,
              "--force"], dest, f"`nbgrader generate_assignment {assignment}`")
    return Course.open(dest)


def copy_course(course: Course, dest: Path) -> Course:
    """A second scratch course with the same inputs, gradebook and submissions."""
    shutil.copytree(course.root, dest)
    return Course.open(dest)
