"""Release = nbgrader's generate_assignment, then proof that nothing secret reached students.

`release_assignment` refuses to release a source notebook that is missing or
out of date with its text, runs nbgrader (which also registers the assignment
in gradebook.db), and then checks the student version: no instructor-only
cell, no hidden-test region, no solution region. A leaking release is deleted.
`check_releases` regenerates releases in a temporary copy of the course and
compares them with the committed `release/` (nbgrader's output is deterministic).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat

from course.authoring.build import INVALID, MISSING, OUT_OF_DATE, UNCHANGED, WRITTEN, Outcome, expected_source
from course.authoring.layout import CourseLayout
from course.authoring.metadata import is_instructor_only
from course.authoring.nbgrader_run import generate_assignment
from course.authoring.problems import AuthoringError
from course.authoring.regions import HIDDEN_TESTS, MARK_SCHEME, SOLUTION, find_regions

LEAKED, FAILED = "leaked", "failed"
IGNORED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")
SECRET_MARKERS = SOLUTION + HIDDEN_TESTS + MARK_SCHEME


def verify_release(source: nbformat.NotebookNode, released: nbformat.NotebookNode, released_text: str = "") -> list[str]:
    """Sentences for every secret of the source notebook that is visible in the released one."""
    leaks: list[str] = []
    released_cells = {cell.get("id"): cell for cell in released.cells}
    for cell in released.cells:
        if is_instructor_only(cell):
            leaks.append(f"instructor-only cell {cell.get('id')} is in the release")
    text = released_text or nbformat.writes(released)
    leaks.extend(f"the text '### {marker}' is in the release" for marker in SECRET_MARKERS if marker in text)
    for cell in source.cells:
        twin = released_cells.get(cell.get("id"))
        if twin is None:
            continue
        if is_instructor_only(cell):
            leaks.append(f"instructor-only cell {cell.id} is in the release")
            continue
        for delimiters, what in ((SOLUTION, "solution"), (HIDDEN_TESTS, "hidden tests")):
            for region in find_regions(cell.source, delimiters).regions:
                secret = region.text(cell.source).strip()
                if secret and secret in twin.source:
                    leaks.append(f"the {what} of cell {cell.id} (line {region.begin + 1}) is in the release")
    return sorted(set(leaks))


def release_assignment(root: str | Path | None, assignment_id: str) -> Outcome:
    """Run generate_assignment for ID from ROOT (source must match the text), then verify the release."""
    layout = CourseLayout.at(root)
    target, notebook = layout.release_notebook(assignment_id), layout.source_notebook(assignment_id)
    shown = layout.show(target)
    wanted, _, problems = expected_source(layout.root, assignment_id)
    if wanted is None:
        return Outcome(assignment_id, shown, INVALID, problems)
    if not notebook.is_file():
        return Outcome(assignment_id, shown, MISSING, problems, f"{layout.show(notebook)} does not exist; run `course build {assignment_id}` first")
    if notebook.read_bytes() != wanted:
        return Outcome(assignment_id, shown, OUT_OF_DATE, problems, f"{layout.show(notebook)} is out of date with its lesson; run `course build {assignment_id}` first")
    before = target.read_bytes() if target.is_file() else None
    try:
        generate_assignment(layout.root, assignment_id)
    except AuthoringError as error:
        return Outcome(assignment_id, shown, FAILED, problems, str(error))
    after = target.read_bytes()
    leaks = verify_release(nbformat.reads(wanted.decode("utf-8"), as_version=4), _read(after), after.decode("utf-8"))
    if leaks:
        target.unlink()
        return Outcome(assignment_id, shown, LEAKED, problems, f"{shown} leaked secrets and was deleted: " + "; ".join(leaks))
    return Outcome(assignment_id, shown, UNCHANGED if before == after else WRITTEN, problems)


def check_releases(root: str | Path | None, sources: dict[str, bytes]) -> list[Outcome]:
    """Regenerate the release of each {id: fresh source bytes} in a temporary course and compare with release/."""
    layout = CourseLayout.at(root)
    if not layout.config_file.is_file():
        raise AuthoringError(f"there is no {layout.config_file.name} in {layout.root}; run from the course root or pass --root")
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="course-release-check-") as tmp:
        scratch = CourseLayout.at(tmp)
        shutil.copy2(layout.config_file, scratch.config_file)
        _copy_source_top_files(layout, scratch)
        for assignment_id, wanted in sources.items():
            outcomes.append(_check_one(layout, scratch, assignment_id, wanted))
    return outcomes


def _check_one(layout: CourseLayout, scratch: CourseLayout, assignment_id: str, wanted: bytes) -> Outcome:
    shown = layout.show(layout.release_notebook(assignment_id))
    if layout.source_dir(assignment_id).is_dir():
        shutil.copytree(layout.source_dir(assignment_id), scratch.source_dir(assignment_id), ignore=IGNORED)
    scratch.source_notebook(assignment_id).parent.mkdir(parents=True, exist_ok=True)
    scratch.source_notebook(assignment_id).write_bytes(wanted)
    try:
        generate_assignment(scratch.root, assignment_id)
    except AuthoringError as error:
        return Outcome(assignment_id, shown, FAILED, [], str(error))
    expected = _tree(scratch.release_dir(assignment_id))
    notebook_name = f"{assignment_id}.ipynb"
    if notebook_name not in expected:
        return Outcome(assignment_id, shown, FAILED, [], f"nbgrader wrote no {notebook_name}")
    leaks = verify_release(_read(wanted), _read(expected[notebook_name]))
    if leaks:
        return Outcome(assignment_id, shown, LEAKED, [], "; ".join(leaks))
    if not layout.release_notebook(assignment_id).is_file():
        return Outcome(assignment_id, shown, MISSING, [])
    committed = _tree(layout.release_dir(assignment_id))
    differing = sorted(name for name in set(expected) | set(committed) if expected.get(name) != committed.get(name))
    detail = "differs: " + ", ".join(differing) if differing else ""
    return Outcome(assignment_id, shown, OUT_OF_DATE if differing else UNCHANGED, [], detail)


def _copy_source_top_files(layout: CourseLayout, scratch: CourseLayout) -> None:
    """Files directly in source/ (e.g. a header notebook the config may name) go along."""
    source_root = layout.root / "source"
    (scratch.root / "source").mkdir(parents=True, exist_ok=True)
    if source_root.is_dir():
        for path in source_root.iterdir():
            if path.is_file():
                shutil.copy2(path, scratch.root / "source" / path.name)


def _tree(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".ipynb_checkpoints" not in path.parts and "__pycache__" not in path.parts
    }


def _read(data: bytes) -> nbformat.NotebookNode:
    return nbformat.reads(data.decode("utf-8"), as_version=4)
