"""The grading commands: `course autograde`, `feedback`, `report`, `demo`.

Thin click wrappers: they check the request, call the grading modules, and
say what happened in sentences (no tracebacks). Exit codes: 0 all good,
1 some submission could not be graded (the others were), 2 usage error.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

import click
from rich.console import Console

from course.grading.course_root import Course, CourseError
from course.grading.grading_status import write_status
from course.grading.parallel_autograde import GRADED, assignment_in_gradebook, autograde as grade_in_parallel
from course.grading.progress_view import failure_notes, grading_progress, summary_line, summary_table
from course.grading.submissions import discover
from course.grading.worker_pool import start_early as start_workers_early

DEMO_ASSIGNMENT = "day2-03-changesets-and-validations"

root_option = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Course folder (holds nbgrader_config.py). Default: the current folder or the nearest one above it.")


def in_sentences(command):
    """Expected failures become one sentence and an exit code, not a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CourseError as error:
            raise click.UsageError(str(error)) from None
        except KeyboardInterrupt:
            console().print("[red]Interrupted[/]: submissions graded so far keep their grades.")
            raise SystemExit(130) from None
        except OSError as error:
            console().print(f"[red]error[/]: {error.strerror or error} ({error.filename or 'file system'}).")
            raise SystemExit(1) from None
        except Exception as error:  # noqa: BLE001 - e.g. sqlalchemy errors from a damaged gradebook
            if type(error).__module__.startswith("sqlalchemy"):
                console().print(f"[red]error[/]: the gradebook could not be used ({str(error).splitlines()[0]}).")
                raise SystemExit(1) from None
            raise

    return wrapper


def open_course(root: Path | None) -> Course:
    try:
        return Course.open(root)
    except CourseError as error:
        raise click.UsageError(str(error)) from None


def check_assignment(course: Course, assignment: str) -> None:
    known = course.assignment_ids()
    if assignment not in known:
        hint = f" Known assignments: {', '.join(known[:8])}{' …' if len(known) > 8 else ''}." if known else ""
        raise click.UsageError(f"Unknown assignment '{assignment}': there is no source/{assignment}/ folder.{hint}")


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def run_autograde(course: Course, assignment: str, jobs: int, students: list[str], out: Console,
                  behaviours: dict[str, str] | None = None):
    """Check, grade, show progress and a summary; return the outcomes."""
    start_workers_early()
    check_assignment(course, assignment)
    if not assignment_in_gradebook(course, assignment):
        raise click.UsageError(f"Assignment '{assignment}' is not in the gradebook yet: "
                               f"release it first (`course release {assignment}`).")
    submissions = discover(course, assignment, students or None)
    if not submissions:
        where = f"submitted/STUDENT/{assignment}/"
        raise click.UsageError(f"No submissions of '{assignment}' found in {where}"
                               + (f" for {', '.join(students)}." if students else "."))
    missing = sorted(set(students) - {s.student for s in submissions})
    if missing:
        raise click.UsageError(f"No submission of '{assignment}' from: {', '.join(missing)}.")
    out.print(f"Grading {len(submissions)} submission(s) of [bold]{assignment}[/] with {jobs} worker(s)…")
    started = time.monotonic()
    with grading_progress(out, len(submissions), f"autograde {assignment}") as on_outcome:
        outcomes = grade_in_parallel(course, assignment, submissions, jobs, on_outcome)
    write_status(course, assignment, outcomes)
    out.print(summary_table(outcomes, f"{assignment}: autograde summary", behaviours, out.width))
    for note in failure_notes(outcomes):
        out.print(note)
    out.print(summary_line(outcomes, time.monotonic() - started, jobs))
    return outcomes


@click.command()
@click.argument("assignment")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Submissions graded at once (default: number of cores).")
@click.option("--student", "-s", "students", multiple=True, help="Grade only this student (repeatable).")
@root_option
@click.pass_context
@in_sentences
def autograde(ctx: click.Context, assignment: str, jobs: int | None, students: tuple[str, ...],
              root: Path | None) -> None:
    """Autograde submitted/STUDENT/ASSIGNMENT/ in parallel with nbgrader.

    Writes the same gradebook rows and autograded/ notebooks as `nbgrader
    autograde ASSIGNMENT`. A submission that crashes, loops, kills its kernel
    or is not a notebook is reported and the others are still graded. Exit
    code 1 if any submission could not be graded.
    """
    course = open_course(root)
    outcomes = run_autograde(course, assignment, jobs or os.cpu_count() or 1, list(students), console())
    ctx.exit(0 if all(o.status == GRADED for o in outcomes) else 1)


@click.command()
@click.argument("assignment")
@click.option("--student", "-s", "students", multiple=True, help="Only this student (repeatable).")
@root_option
@in_sentences
def feedback(assignment: str, students: tuple[str, ...], root: Path | None) -> None:
    """Write feedback/STUDENT/ASSIGNMENT/NOTEBOOK.html for every submission.

    Score, per-exercise and per-test results with failure messages, written
    answers' status. Unlike `nbgrader generate_feedback`, no test code is
    shown: hidden tests appear by name and result only.
    """
    course = open_course(root)
    check_assignment(course, assignment)
    from course.grading import feedback as feedback_pages

    pages = feedback_pages.write_feedback(course, assignment, list(students) or None)
    out = console()
    if not pages:
        raise click.UsageError(f"No submissions of '{assignment}' to write feedback for.")
    out.print(f"Wrote {len(pages)} feedback page(s) under {course.path('feedback')}/STUDENT/{assignment}/ "
              f"(e.g. {pages[0]}).")


@click.command()
@click.argument("assignments", nargs=-1)
@root_option
@in_sentences
def report(assignments: tuple[str, ...], root: Path | None) -> None:
    """Class report for TAs under reports/ASSIGNMENT/ (all graded assignments by default).

    Score distribution, pass rate per test (hidden tests highlighted, hardest
    first), mean per exercise, students needing attention, grades.csv.
    """
    course = open_course(root)
    chosen = list(dict.fromkeys(assignments)) or [a for a in course.assignment_ids() if discover(course, a)]
    if not chosen:
        raise click.UsageError("No assignment has submissions yet: nothing to report.")
    for assignment in chosen:
        check_assignment(course, assignment)
    from course.grading import class_report  # matplotlib and pandas: only for this command

    out = console()
    for assignment in chosen:
        index = class_report.write_report(course, assignment)
        out.print(f"Class report for [bold]{assignment}[/]: {index}")
    if len(chosen) > 1:
        out.print(f"All reports: {class_report.write_overview(course, chosen)}")


@click.command()
@root_option
@click.option("--students", "size", type=click.IntRange(min=0), default=24, show_default=True,
              help="Least size of the simulated class: every simulated behaviour and wrong answer appears "
                   "once, students with mixed answers fill up to this size.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Submissions graded at once (default: number of cores).")
@click.option("--assignment", default=DEMO_ASSIGNMENT, show_default=True, help="Lesson to run the demo on.")
@click.option("--skip-build", is_flag=True, help="Use source/ and release/ as they are (no build, no release).")
@in_sentences
def demo(root: Path | None, size: int, jobs: int | None, assignment: str, skip_build: bool) -> None:
    """The whole course in one go, on a simulated class.

    Builds and releases the pilot lesson, simulates a class (perfect, blank,
    partial, wrong, crashing, looping and unreadable submissions), autogrades
    it in parallel, writes feedback and the class report, and says where to
    open them. Re-running starts the simulated class afresh.
    """
    from course.grading import demo_run

    course = open_course(root)
    out = console()
    demo_run.run(course, assignment, size, jobs or os.cpu_count() or 1, skip_build, out)
