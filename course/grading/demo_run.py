"""`course demo`: the README's main job, from lesson text to class report.

Steps, each a call into the stage that owns it: build the lessons and
release the pilot lesson (authoring stage, through its own commands; another
lesson failing to build does not stop the demo), forget the previous simulated
class, write a new one (`demo_class`), autograde it in parallel, write
feedback and the class report, then tell the instructor where to look.
Only simulated students (ids like `ada-perfect`) are removed on a re-run;
real class data in the same folders is left alone.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import click
from rich.console import Console

from course.grading import class_report, demo_class, feedback
from course.grading.course_root import Course


def run_authoring(course: Course, out: Console, *args: str, required: bool = True) -> bool:
    """Run an authoring command (`course build`, `course release ID`) on the course folder."""
    out.print(f"[bold]$ course {' '.join(args)}[/]")
    done = subprocess.run([sys.executable, "-m", "course.cli", *args, "--root", str(course.root)],
                          cwd=course.root, capture_output=True, text=True)
    lines = (done.stdout + done.stderr).strip().splitlines()
    for line in lines[-4:]:
        out.print(f"  {line}", markup=False, highlight=False)
    if done.returncode != 0 and required:
        raise click.ClickException(f"`course {' '.join(args)}` failed (exit code {done.returncode}); "
                                   "see its output above.")
    return done.returncode == 0


def forget_simulated_class(course: Course, assignment: str) -> int:
    """Remove every simulated student's folders and gradebook rows, and the
    assignment's report. Returns how many students were removed."""
    from nbgrader.api import Gradebook

    removed = set()
    for folder in ("submitted", "autograded", "feedback"):
        base = course.path(folder)
        if not base.is_dir():
            continue
        for student in base.iterdir():
            if student.is_dir() and demo_class.DEMO_STUDENT.match(student.name):
                shutil.rmtree(student)
                removed.add(student.name)
    shutil.rmtree(course.path("reports", assignment), ignore_errors=True)
    if course.path("gradebook.db").exists():
        with Gradebook(course.db_url, course.course_id) as gb:
            for student in list(gb.students):
                if demo_class.DEMO_STUDENT.match(student.id):
                    gb.remove_student(student.id)
                    removed.add(student.id)
    return len(removed)


def run(course: Course, assignment: str, size: int, jobs: int, skip_build: bool, out: Console) -> None:
    from course.grading.commands import run_autograde  # the same path as `course autograde`

    started = time.monotonic()
    if not skip_build:
        if not run_authoring(course, out, "build", required=False):
            out.print(f"[yellow]Some lesson did not build (see above); the demo needs only {assignment}.[/]")
            run_authoring(course, out, "build", assignment)
        run_authoring(course, out, "release", assignment)
    removed = forget_simulated_class(course, assignment)
    if removed:
        out.print(f"Forgot the previous simulated class ({removed} students).")

    lesson = demo_class.load_lesson(course, assignment)
    plans = demo_class.plan_class(lesson, size)
    demo_class.write_class(course, lesson, plans)
    out.print(f"Simulated a class of {len(plans)} students in submitted/STUDENT/{assignment}/.")

    behaviours = {p.student: p.behaviour for p in plans}
    outcomes = run_autograde(course, assignment, jobs, [], out, behaviours)
    pages = feedback.write_feedback(course, assignment)
    index = class_report.write_report(course, assignment)

    first = next((p for p in pages if "perfect" in p.parts[-3]), pages[0] if pages else None)
    out.print()
    out.print("[bold]Open these:[/]")
    out.print(f"  class report (TAs):     {index}")
    out.print(f"  grades (CSV):           {index.parent / 'grades.csv'}")
    if first:
        out.print(f"  feedback (students):    {first.parent.parent.parent}/STUDENT/{assignment}/{first.name}")
        out.print(f"     e.g.                 {first}")
    out.print(f"  graded notebooks:       {course.path('autograded')}/STUDENT/{assignment}/")
    out.print(f"  why a student failed:   {course.path('reports', assignment, 'autograde-logs')}/STUDENT.log")
    graded = sum(o.ok for o in outcomes)
    others = [f"{o.student} ({o.status})" for o in outcomes if not o.ok]
    out.print(f"\nDemo done in {time.monotonic() - started:.0f} s: {graded} of {len(outcomes)} submissions graded"
              + (f"; not graded, as simulated: {', '.join(others)}." if others else "."))
