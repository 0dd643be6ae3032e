"""The scratch course the browser tests' JupyterLab serves, and the command-line
steps that prepare it (nbgrader and `course` from .venv, as an instructor runs them).

The slow steps (register, autograde, release, feedback, report; validate on
the command line) are plain functions so that the conftest can start them in
the background while the student tests use the browser.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ASSIGNMENT = "day2-03-changesets-and-validations"
STUDENT = "ada"


def venv_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a .venv command; fail the test with its output if it exits non-zero."""
    done = subprocess.run(args, cwd=cwd, env=venv_env(), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        pytest.fail(f"`{' '.join(map(str, args))}` exited {done.returncode} in {cwd}:\n"
                    f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def make_course(root: Path, exchange: Path) -> None:
    """The course's nbgrader config (plus a private exchange) and the pilot lesson's source and release."""
    config = (REPO / "nbgrader_config.py").read_text(encoding="utf-8")
    config += f"\n# browser tests: a private exchange for release/fetch\nc.Exchange.root = {str(exchange)!r}\n"
    (root / "nbgrader_config.py").write_text(config, encoding="utf-8")
    for folder in ("source", "release"):
        shutil.copytree(REPO / folder / ASSIGNMENT, root / folder / ASSIGNMENT)


def course_id(root: Path) -> str:
    return re.search(r"course_id\s*=\s*['\"]([^'\"]+)", (root / "nbgrader_config.py").read_text())[1]


def solved_release(root: Path = REPO) -> nbformat.NotebookNode:
    """The released lesson as a diligent student hands it in: every code solution
    filled with the reference solution from source/, every written answer in the
    student's own words."""
    source = nbformat.read(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    notebook = nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    reference = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution"):
            continue
        if cell.cell_type == "code":
            cell.source = reference[meta["grade_id"]]
        else:
            cell.source = ("A validation runs in the application before the database is touched; "
                           "a constraint is enforced by the database itself, so it also holds under races.")
    return notebook


def grade_course(root: Path, on_released: Callable[[], None] = lambda: None) -> Path:
    """The instructor's side, the standard way: register the assignment in a fresh
    gradebook, release the lesson to the exchange (then call `on_released`), take
    STUDENT's submission (a solved release) and `nbgrader autograde` it, then write
    feedback and the class report with `course feedback` / `course report`."""
    nbgrader, course = str(VENV_BIN / "nbgrader"), str(VENV_BIN / "course")
    run([nbgrader, "generate_assignment", ASSIGNMENT, "--force"], cwd=root)
    run([nbgrader, "release_assignment", ASSIGNMENT, "--force"], cwd=root)
    on_released()
    submission = root / "submitted" / STUDENT / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    submission.parent.mkdir(parents=True)
    nbformat.write(solved_release(root), submission)
    run([nbgrader, "autograde", ASSIGNMENT], cwd=root)
    run([course, "feedback", ASSIGNMENT, "--root", str(root)], cwd=root)
    run([course, "report", ASSIGNMENT, "--root", str(root)], cwd=root)
    return root


def validate(root: Path, notebook: nbformat.NotebookNode, folder: Path) -> str:
    """`nbgrader validate` on a copy of `notebook`, as a student runs it; its report."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ASSIGNMENT}.ipynb"
    nbformat.write(notebook, path)
    done = subprocess.run([str(VENV_BIN / "nbgrader"), "validate", str(path)], cwd=root, env=venv_env(),
                          capture_output=True, text=True, timeout=600)
    return done.stdout + done.stderr


def validate_stub_and_solved(root: Path, folder: Path) -> dict[str, str]:
    """`nbgrader validate` of the released stub and of a solved release (the
    repository's copies: the course's own release/ may be being regenerated)."""
    release = nbformat.read(REPO / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return {"stub": validate(root, release, folder / "stub"),
            "solved": validate(root, solved_release(REPO), folder / "solved")}
