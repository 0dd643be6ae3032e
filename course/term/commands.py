"""The term's commands: `course roster import`, `schedule`, `publish`, `collect`, `grades`.

Thin click wrappers over the term modules, in the style of the grading
commands: errors are sentences, exit code 0 = done, 1 = the work ran and
found problems (bad roster rows), 2 = called wrongly or cannot start
(missing file, unknown assignment, nbgrader refused).
"""

from __future__ import annotations

from pathlib import Path

import click

from course.grading.commands import console, in_sentences, open_course, root_option
from course.term import exchange as exchange_ops
from course.term.grades_export import write_grades
from course.term.roster import import_students, read_roster
from course.term.schedule import apply_due_dates, load_schedule

exchange_option = click.option(
    "--exchange", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Exchange folder (default: c.Exchange.root in nbgrader_config.py, i.e. $COURSE_EXCHANGE "
         "or /srv/nbgrader/exchange).")
schedule_option = click.option(
    "--schedule", "schedule_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Schedule file (default: $COURSE_SCHEDULE or course/schedule.yml in the course folder).")


@click.group()
def roster() -> None:
    """The class list in the gradebook."""


@roster.command("import")
@click.argument("csv_file", metavar="STUDENTS.CSV", type=click.Path(dir_okay=False, path_type=Path))
@root_option
@click.pass_context
@in_sentences
def roster_import(ctx: click.Context, csv_file: Path, root: Path | None) -> None:
    """Add or update the students of STUDENTS.CSV (id, first name, last name, email).

    Bad rows (missing id, bad email, duplicate id) are reported with their
    line numbers and skipped; the good rows are imported. Exit code 1 if any
    row was bad.
    """
    course = open_course(root)
    students, bad = read_roster(csv_file)
    added, updated = import_students(course, students)
    out = console()
    out.print(f"Imported {len(students)} student(s) from {csv_file} into the gradebook "
              f"({added} new, {updated} updated).")
    for row in bad:
        out.print(f"[red]{csv_file}, line {row.line}[/]: {row.reason} This row was skipped.")
    if bad:
        out.print(f"{len(bad)} row(s) were skipped: fix them and import the file again (good rows are kept).")
    ctx.exit(1 if bad else 0)


@click.command()
@click.argument("assignments", nargs=-1)
@schedule_option
@root_option
@in_sentences
def schedule(assignments: tuple[str, ...], schedule_file: Path | None, root: Path | None) -> None:
    """Load due dates from the schedule file into the gradebook.

    Only released assignments (already in the gradebook) get their date now;
    the others get it when published (`course publish ID`). With ASSIGNMENTS,
    only those.
    """
    course = open_course(root)
    plan = load_schedule(course, schedule_file)
    unknown = sorted(set(assignments) - set(plan.due))
    if unknown:
        raise click.UsageError(f"No due date for {', '.join(unknown)} in {plan.path}.")
    written = apply_due_dates(course, plan, list(assignments) or None)
    out = console()
    for name, due in sorted(written.items(), key=lambda kv: kv[1]):
        out.print(f"{name}: due {due:%Y-%m-%d %H:%M} UTC")
    waiting = len(assignments or plan.due) - len(written)
    out.print(f"Set {len(written)} due date(s) from {plan.path}"
              + (f"; {waiting} unreleased assignment(s) get theirs when published." if waiting else "."))


@click.command()
@click.argument("assignment")
@exchange_option
@schedule_option
@click.option("--force", is_flag=True, help="Replace an assignment already published to the exchange.")
@root_option
@in_sentences
def publish(assignment: str, exchange: Path | None, schedule_file: Path | None, force: bool,
            root: Path | None) -> None:
    """Publish release/ASSIGNMENT to the exchange (nbgrader release_assignment).

    Sets the assignment's due date from the schedule file first. Students
    then fetch it with `nbgrader fetch_assignment ASSIGNMENT` or from
    JupyterLab's Assignments tab. Run `course release ASSIGNMENT` before.
    """
    course = open_course(root)
    plan = load_schedule(course, schedule_file)
    due = plan.due_date(assignment)
    if due is None:
        raise click.UsageError(f"{assignment} has no due date in {plan.path}: add one before publishing.")
    apply_due_dates(course, plan, [assignment], create=True)
    exchange_ops.publish(course, assignment, exchange, force)
    where = exchange_ops.exchange_root(course, exchange) / course.course_id / "outbound" / assignment
    console().print(f"Published {assignment} to {where} (due {due:%Y-%m-%d %H:%M} UTC).")


@click.command()
@click.argument("assignment")
@exchange_option
@root_option
@in_sentences
def collect(assignment: str, exchange: Path | None, root: Path | None) -> None:
    """Collect submissions of ASSIGNMENT from the exchange (nbgrader collect --update).

    Each student's latest submission lands in submitted/STUDENT/ASSIGNMENT/,
    ready for `course autograde ASSIGNMENT`.
    """
    course = open_course(root)
    with console().status(f"Collecting {assignment}…"):
        found = exchange_ops.collect(course, assignment, exchange)
    out = console()
    for item in found:
        out.print(f"{item.student}: submitted {item.timestamp}")
    out.print(f"{len(found)} submission(s) of {assignment} are in submitted/STUDENT/{assignment}/."
              + (f" Next: course autograde {assignment}" if found else ""))


@click.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV file to write (default: reports/grades.csv in the course folder; '-' for stdout).")
@click.option("--assignment", "-a", "assignments", multiple=True, help="Only this assignment (repeatable).")
@root_option
@in_sentences
def grades(output: Path | None, assignments: tuple[str, ...], root: Path | None) -> None:
    """Export the registrar CSV: one row per student, each assignment and the total.

    Assignment columns are scores after late penalties; missing work counts 0.
    """
    course = open_course(root)
    to_stdout = str(output) == "-"
    target = None if to_stdout else (output or course.path("reports", "grades.csv"))
    text, count = write_grades(course, target, list(assignments) or None)
    if to_stdout:
        click.echo(text, nl=False)
    else:
        console().print(f"Wrote grades of {count} student(s) to {target}.")
