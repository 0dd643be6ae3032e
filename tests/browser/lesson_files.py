"""The pilot lesson's files as the browser tests use them, and .venv commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ASSIGNMENT = "day2-03-changesets-and-validations"


def venv_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a .venv command; fail the test with its output if it exits non-zero."""
    done = subprocess.run(args, cwd=cwd, env=venv_env(), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        pytest.fail(f"`{' '.join(map(str, args))}` exited {done.returncode} in {cwd}:\n"
                    f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def solved_release(course_root: Path) -> nbformat.NotebookNode:
    """The released lesson as a diligent student hands it in: every code solution
    filled with the reference solution from source/, every written answer in the
    student's own words."""
    source = nbformat.read(course_root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    notebook = nbformat.read(course_root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
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
