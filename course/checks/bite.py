"""Prove that a notebook's tests bite, the way nbgrader would grade it.

Three kinds of run, each one kernel execution of the source notebook (hidden
tests included, as in `nbgrader autograde`) with some solution cells swapped:

* ``reference`` — the source's own solutions: every tests cell scores full
  points and no cell errors;
* ``stub`` — the released solution cells (nbgrader's stubs): every tests
  cell scores 0, and the run still completes;
* one run per plausible wrong answer in ``tests/fixtures/wrong_answers/ID.yml``:
  each tests cell it names under ``loses`` scores below full points.

Scores come from nbgrader's own ``determine_grade``, so stderr and errors
count exactly as they do in real grading.
"""

from __future__ import annotations

import copy
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient
from nbgrader.utils import determine_grade

from course.unix_socket_kernels import ASYNC_MANAGER

REFERENCE, STUB = "reference", "stub"
CELL_TIMEOUT = 60


@dataclass
class Variant:
    name: str
    replace: dict[str, str] = field(default_factory=dict)
    loses: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    run: str
    scores: dict[str, tuple[float, float]]
    problems: list[str]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def wrong_answers_path(root: Path, assignment_id: str) -> Path:
    return Path(root) / "tests" / "fixtures" / "wrong_answers" / f"{assignment_id}.yml"


def load_variants(root: Path, assignment_id: str) -> list[Variant]:
    path = wrong_answers_path(root, assignment_id)
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text()) or {}
    return [Variant(v["name"], v.get("replace", {}), v.get("loses", [])) for v in data.get("variants", [])]


def run_names(root: Path, assignment_id: str) -> list[str]:
    return [REFERENCE, STUB] + [v.name for v in load_variants(root, assignment_id)]


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _is_tests_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")


def notebook_for(root: Path, assignment_id: str, run: str):
    """The source notebook with solution cells swapped for ``run``; returns (notebook, variant)."""
    root = Path(root)
    source = nbformat.read(root / "source" / assignment_id / f"{assignment_id}.ipynb", as_version=4)
    notebook = copy.deepcopy(source)
    variant = None
    if run == STUB:
        released = nbformat.read(root / "release" / assignment_id / f"{assignment_id}.ipynb", as_version=4)
        stubs = {_grade_id(c): c.source for c in released.cells
                 if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"}
        for cell in notebook.cells:
            if _grade_id(cell) in stubs:
                cell.source = stubs[_grade_id(cell)]
    elif run != REFERENCE:
        variant = next((v for v in load_variants(root, assignment_id) if v.name == run), None)
        if variant is None:
            raise KeyError(f"{assignment_id} has no wrong answer named {run!r}")
        for cell in notebook.cells:
            if _grade_id(cell) in variant.replace:
                cell.source = variant.replace[_grade_id(cell)]
        unknown = set(variant.replace) - {_grade_id(c) for c in notebook.cells}
        if unknown:
            raise KeyError(f"wrong answer {run!r} replaces cells that don't exist: {', '.join(sorted(unknown))}")
    return notebook, variant


def execute(notebook, cwd: Path) -> None:
    client = NotebookClient(notebook, kernel_name="elixir", timeout=CELL_TIMEOUT, allow_errors=True,
                            interrupt_on_timeout=True, resources={"metadata": {"path": str(cwd)}},
                            kernel_manager_class=ASYNC_MANAGER)
    client.execute(env={**os.environ, "NBGRADER_EXECUTION": "autograde"})


def tests_scores(notebook) -> dict[str, tuple[float, float]]:
    scores = {}
    for cell in notebook.cells:
        if _is_tests_cell(cell):
            score, max_score = determine_grade(cell)
            scores[_grade_id(cell)] = (float(score or 0.0), float(max_score))
    return scores


def _errors(notebook) -> list[str]:
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error" or (output.output_type == "stream" and output.name == "stderr"):
                what = output.get("ename") or "stderr output"
                found.append(f"cell {index} ({_grade_id(cell) or 'no grade id'}): {what}: "
                             f"{(output.get('evalue') or output.get('text', ''))[:200]}")
    return found


def check(root: Path, assignment_id: str, run: str) -> Outcome:
    """Executes one run and compares its scores with what the run must show."""
    import time

    notebook, variant = notebook_for(root, assignment_id, run)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"bite-{assignment_id}-") as cwd:
        execute(notebook, Path(cwd))
    scores = tests_scores(notebook)
    problems: list[str] = []
    if not scores:
        problems.append("the notebook has no graded tests cells")
    if run == REFERENCE:
        problems += [f"reference scores {s:g}/{m:g} in {gid}" for gid, (s, m) in scores.items() if s != m]
        problems += [f"reference run error in {e}" for e in _errors(notebook)]
    elif run == STUB:
        problems += [f"released stub scores {s:g}/{m:g} in {gid}" for gid, (s, m) in scores.items() if s != 0]
    else:
        for gid in variant.loses:
            if gid not in scores:
                problems.append(f"wrong answer {run!r} names {gid}, which is not a tests cell")
            elif scores[gid][0] >= scores[gid][1]:
                problems.append(f"wrong answer {run!r} still scores full points in {gid}")
    return Outcome(run, scores, problems, time.monotonic() - started)
