"""A simulated class: submissions a TA would recognise, written from the release.

Real classes hand in perfect work, untouched notebooks, half-done work,
plausible mistakes, code that kills the runtime, code that never returns and
files that are not notebooks at all. The demo (and the end-to-end tests)
build one student per behaviour from the released notebook, so every path of
the grading pipeline runs on every demo. Student ids say who is who
(`ada-perfect`, `ben-blank`, ...).

Answers come from the course's own material only: the reference solutions in
`source/ID/`, and the plausible wrong answers in
`tests/fixtures/wrong_answers/ID.yml` (format: `variants: [{name, replace:
{grade_id: code}, loses: [tests grade_ids]}]`).
"""

from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import yaml

from course.grading.course_root import Course

LOOP_FOREVER = "Stream.repeatedly(fn -> :x end) |> Enum.each(fn _ -> :ok end)"
_MARKER_LINE = re.compile(r"^.*### (BEGIN|END) SOLUTION.*\n?", re.M)
FIRST_NAMES = ["ada", "ben", "cleo", "dan", "eve", "finn", "gus", "hana", "ivan", "jade", "kim", "leo",
               "mia", "ned", "olga", "pia", "quinn", "rosa", "sam", "tara", "uma", "vic", "wes", "xena",
               "yuri", "zoe"]
DEMO_STUDENT = re.compile(r"^[a-z]+-(perfect|blank|partial|mostly-done|written-only|wrong-[a-z0-9-]+|halts|raises|"
                          r"loops|loops-in-function|malformed|mixed-\d+)$")


@dataclass
class StudentPlan:
    """What one simulated student hands in."""

    student: str
    behaviour: str  # shown to the TA in the demo summary
    replace: dict[str, str] = field(default_factory=dict)
    malformed: bool = False
    loses: tuple[str, ...] = ()  # tests cells this student must lose points in (wrong variants)


@dataclass
class Lesson:
    """What a simulated student can copy from: the release, the reference
    solutions and written model answers, the wrong-answer variants."""

    assignment: str
    release: nbformat.NotebookNode
    solutions: dict[str, str]  # solution code cell grade_id -> reference code
    written: dict[str, str]  # written-answer grade_id -> a model answer
    tests_cells: list[str]
    variants: list[dict]


def strip_solution_markers(source: str) -> str:
    """The reference code a student would have typed: the source cell with
    the `### BEGIN/END SOLUTION` marker lines removed."""
    return _MARKER_LINE.sub("", source).rstrip() + "\n"


def load_lesson(course: Course, assignment: str, notebook: str | None = None) -> Lesson:
    name = notebook or assignment
    source = nbformat.read(course.path("source", assignment, f"{name}.ipynb"), as_version=4)
    release = nbformat.read(course.path("release", assignment, f"{name}.ipynb"), as_version=4)
    solutions, written, tests = {}, {}, []
    for cell in source.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if not grade_id:
            continue
        if meta.get("solution") and cell.cell_type == "code":
            solutions[grade_id] = strip_solution_markers(cell.source)
        elif meta.get("solution") and meta.get("grade"):
            written[grade_id] = strip_solution_markers(cell.source).strip()
        elif meta.get("grade") and cell.cell_type == "code":
            tests.append(grade_id)
    return Lesson(assignment, release, solutions, written, tests, load_variants(course, assignment))


def load_variants(course: Course, assignment: str) -> list[dict]:
    path = course.path("tests", "fixtures", "wrong_answers", f"{assignment}.yml")
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [v for v in data.get("variants", []) if v.get("replace")]


def slug(text: str, limit: int = 32) -> str:
    """A short id-safe name: lower-case words joined by dashes, cut at a word."""
    words = [w for w in re.split(r"[^a-z0-9]+", str(text).lower()) if w]
    kept: list[str] = []
    for word in words:
        if kept and len("-".join([*kept, word])) > limit:
            break
        kept.append(word)
    return "-".join(kept)[:limit] or "variant"


def loop_inside_last_function(code: str) -> str | None:
    """The code with an endless loop at the start of its last `def ... do`
    body: it compiles, and loops only when a test calls that function (the
    last one is typically called by the fewest tests, so the per-test
    timeouts cost least)."""
    matches = list(re.finditer(r"^([ \t]*)defp? [^\n]*\bdo[ \t]*\n", code, re.M))
    if not matches:
        return None
    match = matches[-1]
    indent = match.group(1) + "  "
    return code[: match.end()] + f"{indent}{LOOP_FOREVER}\n" + code[match.end():]


def plan_class(lesson: Lesson, size: int = 0, seed: int = 7) -> list[StudentPlan]:
    """One student per behaviour and per wrong variant, then students with a
    random (seeded, so repeatable) mix of solved, blank and wrong exercises
    until the class has at least `size` students."""
    cells = list(lesson.solutions)
    perfect = dict(lesson.solutions)
    written = {k: f"{v}\n\n(In my own words.)" for k, v in lesson.written.items()}
    names = iter(FIRST_NAMES)
    plans = [
        StudentPlan(f"{next(names)}-perfect", "reference solution, written answers filled", perfect | written),
        StudentPlan(f"{next(names)}-blank", "the release handed back untouched"),
        StudentPlan(f"{next(names)}-partial", "first exercise solved only", {cells[0]: perfect[cells[0]]} if cells else {}),
        StudentPlan(f"{next(names)}-mostly-done", "all but the last exercise, written answers filled",
                    {c: perfect[c] for c in cells[:-1]} | written),
    ]
    if cells:
        first, last = cells[0], cells[-1]
        plans.append(StudentPlan(f"{next(names)}-halts", "calls System.halt(1) in a solution cell",
                                 perfect | {first: perfect[first].rstrip() + "\n\nSystem.halt(1)\n"}))
        plans.append(StudentPlan(f"{next(names)}-raises", "a solution cell raises at top level",
                                 perfect | {last: "Map.fetch!(%{}, :settings)\n\n" + perfect[last]}))
        plans.append(StudentPlan(f"{next(names)}-loops", "a solution cell loops forever at top level",
                                 perfect | {last: f"{LOOP_FOREVER}\n\n" + perfect[last]}))
        looping = next(((c, code) for c in reversed(cells) if (code := loop_inside_last_function(perfect[c]))),
                       None)
        if looping:
            plans.append(StudentPlan(f"{next(names)}-loops-in-function", "a function loops when a test calls it",
                                     perfect | {looping[0]: looping[1]}))
    plans.append(StudentPlan(f"{next(names)}-malformed", "the file is not valid notebook JSON", malformed=True))
    for variant in lesson.variants:
        plans.append(StudentPlan(f"{next(names)}-wrong-{slug(variant.get('name'))}",
                                 f"wrong answer: {variant.get('name')}",
                                 perfect | {k: str(v) for k, v in variant["replace"].items()},
                                 loses=tuple(variant.get("loses", []))))
    rng = random.Random(seed)
    index = 1
    while len(plans) < size:
        replace = {}
        for cell in cells:
            roll = rng.random()
            if roll < 0.6:
                replace[cell] = perfect[cell]
            elif roll < 0.8 and lesson.variants:
                options = [v for v in lesson.variants if cell in v["replace"]]
                if options:
                    replace[cell] = str(rng.choice(options)["replace"][cell])
        if rng.random() < 0.5:
            replace |= written
        name = FIRST_NAMES[(len(plans)) % len(FIRST_NAMES)]
        plans.append(StudentPlan(f"{name}-mixed-{index}", "a mix of solved, blank and wrong answers", replace))
        index += 1
    return plans


def write_submission(release: nbformat.NotebookNode, replace: dict[str, str], path: Path,
                     when: datetime | None = None) -> Path:
    """Hand in the release with the cells named in `replace` rewritten, the
    way `nbgrader collect` leaves it (the notebook plus timestamp.txt)."""
    notebook = copy.deepcopy(release)
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in replace:
            cell.source = replace[grade_id]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    stamp = (when or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    (path.parent / "timestamp.txt").write_text(stamp, encoding="utf-8")
    return path


def write_class(course: Course, lesson: Lesson, plans: list[StudentPlan]) -> list[Path]:
    """Write every plan into submitted/STUDENT/ID/ID.ipynb."""
    written = []
    base = datetime.now(timezone.utc) - timedelta(hours=1)
    for offset, plan in enumerate(plans):
        path = course.path("submitted", plan.student, lesson.assignment, f"{lesson.assignment}.ipynb")
        if plan.malformed:
            path.parent.mkdir(parents=True, exist_ok=True)
            text = nbformat.writes(lesson.release)
            path.write_text(text[: len(text) // 2], encoding="utf-8")  # a notebook cut off mid-save
            (path.parent / "timestamp.txt").write_text(base.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
        else:
            write_submission(lesson.release, plan.replace, path, base + timedelta(minutes=offset))
        written.append(path)
    return written
