"""The authoring commands of the `course` CLI: `course lint`, `course build`, `course release`.

Thin click wrappers over lint/build/release: choose the assignments, show
progress and one line per notebook with rich, print problems as
`lessons/ID.md:LINE: message`, end with a summary line. Exit codes: 0 ok,
1 lint errors / out of date / failed release, 2 usage errors. Errors are
sentences, never tracebacks.
"""

from __future__ import annotations

import functools
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from course.authoring.build import INVALID, UNCHANGED, WRITTEN, build_source, check_source, expected_source
from course.authoring.layout import CourseLayout, select_ids
from course.authoring.lint import lint_path
from course.authoring.problems import AuthoringError, Problem, UsageProblem
from course.authoring.release import check_releases, release_assignment

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Course root: the folder holding nbgrader_config.py, lessons/, source/ and release/.",
)
ids_argument = click.argument("ids", nargs=-1, metavar="[ID]...")


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _say(console: Console, text: str, style: str | None = None) -> None:
    console.print(text, style=style, markup=False)


def _sentences(command):
    """Turn the authoring stage's exceptions into sentences and exit codes."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UsageProblem as problem:
            raise click.UsageError(str(problem)) from None
        except AuthoringError as error:
            _say(_console(), f"error: {error}", "red")
            raise SystemExit(1) from None
        except OSError as error:
            _say(_console(), f"error: {error.strerror or error} ({error.filename or 'file system'})", "red")
            raise SystemExit(1) from None

    return wrapper


def _progress(console: Console) -> Progress:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


def _print_problems(console: Console, problems: list[Problem]) -> None:
    for problem in problems:
        _say(console, str(problem), "red" if problem.is_error else "yellow")


@click.command()
@ids_argument
@root_option
@_sentences
def lint(ids: tuple[str, ...], root: Path) -> None:
    """Check lessons/ID.md against the authoring rules (all lessons when no ID is given).

    Prints each problem as `lessons/ID.md:LINE: message`; exits 1 when any is an error.
    """
    console, layout = _console(), CourseLayout.at(root)
    selected = select_ids(layout.root, ids)
    errors = warnings = 0
    for assignment_id in selected:
        path = layout.lesson(assignment_id)
        _, problems = lint_path(path, layout.show(path))
        _print_problems(console, problems)
        errors += sum(p.is_error for p in problems)
        warnings += sum(not p.is_error for p in problems)
    _say(console, f"lint: {len(selected)} lessons, {errors} errors, {warnings} warnings", "red" if errors else "green")
    raise SystemExit(1 if errors else 0)


@click.command()
@ids_argument
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing every source/ or release/ notebook that is missing or out of date with its text.")
@root_option
@_sentences
def build(ids: tuple[str, ...], check: bool, root: Path) -> None:
    """Build nbgrader source notebooks source/ID/ID.ipynb from lessons/ID.md (all lessons when no ID is given).

    Lints first and does not write a lesson that has lint errors. Run `course release`
    afterwards to update release/.
    """
    console, layout = _console(), CourseLayout.at(root)
    selected = select_ids(layout.root, ids)
    raise SystemExit(_check(console, layout, selected, bool(ids)) if check else _build(console, layout, selected))


def _build(console: Console, layout: CourseLayout, selected: list[str]) -> int:
    outcomes = []
    with _progress(console) as progress:
        task = progress.add_task("building", total=len(selected))
        for assignment_id in selected:
            progress.update(task, description=assignment_id)
            outcome = build_source(layout.root, assignment_id)
            outcomes.append(outcome)
            _print_problems(console, outcome.problems)
            if outcome.status == INVALID:
                _say(console, f"✗ {layout.show(layout.lesson(assignment_id))} has lint errors: {outcome.path} not written", "red")
            else:
                _say(console, f"{'✓' if outcome.status == WRITTEN else '·'} {outcome.path} {outcome.status}")
            progress.advance(task)
    counts = {status: sum(o.status == status for o in outcomes) for status in (WRITTEN, UNCHANGED, INVALID)}
    warnings = sum(not p.is_error for o in outcomes for p in o.problems)
    _say(console, f"build: {len(outcomes)} lessons, {counts[WRITTEN]} written, {counts[UNCHANGED]} unchanged, "
         f"{counts[INVALID]} with lint errors, {warnings} warnings", "red" if counts[INVALID] else "green")
    written = [o.assignment_id for o in outcomes if o.status == WRITTEN]
    if written:
        _say(console, f"release/ is now out of date: run `course release {' '.join(written)}`")
    return 1 if counts[INVALID] else 0


def _check(console: Console, layout: CourseLayout, selected: list[str], named: bool) -> int:
    stale: list[str] = []
    fresh: dict[str, bytes] = {}
    for assignment_id in selected:
        wanted, _, problems = expected_source(layout.root, assignment_id)
        _print_problems(console, [p for p in problems if p.is_error])
        if wanted is None:
            stale.append(f"{layout.show(layout.lesson(assignment_id))} has lint errors (run `course lint {assignment_id}`)")
            continue
        fresh[assignment_id] = wanted
        outcome = check_source(layout.root, assignment_id, wanted)
        if outcome.status != UNCHANGED:
            stale.append(f"{outcome.path} is {outcome.status} (run `course build {assignment_id}`)")
    with _progress(console) as progress:
        progress.add_task("regenerating releases in a temporary course", total=None)
        releases = check_releases(layout.root, fresh) if fresh else []
    for outcome in releases:
        if outcome.status != UNCHANGED:
            detail = f"; {outcome.detail}" if outcome.detail else ""
            stale.append(f"{outcome.path} is {outcome.status} (run `course release {outcome.assignment_id}`){detail}")
    for line in stale:
        _say(console, line, "red")
    if not named:
        for orphan in _orphans(layout, selected):
            _say(console, f"warning: {orphan} has no lessons/ text", "yellow")
    if stale:
        _say(console, f"check: {len(stale)} of {2 * len(selected)} notebooks out of date", "red")
        return 1
    _say(console, f"check: {len(selected)} lessons, source/ and release/ in sync with the text", "green")
    return 0


def _orphans(layout: CourseLayout, known: list[str]) -> list[str]:
    found = []
    for folder in ("source", "release"):
        base = layout.root / folder
        if base.is_dir():
            found += [layout.show(p) for p in sorted(base.iterdir()) if p.is_dir() and not p.name.startswith(".") and p.name not in known]
    return found


@click.command()
@ids_argument
@click.option("--all", "all_lessons", is_flag=True, help="Release every lesson in lessons/.")
@root_option
@_sentences
def release(ids: tuple[str, ...], all_lessons: bool, root: Path) -> None:
    """Release student versions: `nbgrader generate_assignment ID --force` for each ID (or --all).

    Needs source/ID/ID.ipynb up to date with its lesson (`course build`). nbgrader writes
    release/ID/ and registers the assignment in gradebook.db; the release is then checked
    for instructor-only cells, hidden tests and solutions, and deleted if any leaked.
    """
    if bool(ids) == all_lessons:
        raise click.UsageError("name the assignments to release, or pass --all (not both)")
    console, layout = _console(), CourseLayout.at(root)
    selected = select_ids(layout.root, ids)
    failures = 0
    with _progress(console) as progress:
        task = progress.add_task("releasing", total=len(selected))
        for assignment_id in selected:
            progress.update(task, description=assignment_id)
            outcome = release_assignment(layout.root, assignment_id)
            _print_problems(console, [p for p in outcome.problems if p.is_error])
            if outcome.ok:
                _say(console, f"{'✓' if outcome.status == WRITTEN else '·'} {outcome.path} {outcome.status}")
            else:
                failures += 1
                _say(console, f"✗ {outcome.path} not released: {outcome.detail or outcome.status}", "red")
            progress.advance(task)
    _say(console, f"release: {len(selected)} assignments, {len(selected) - failures} released, {failures} failed", "red" if failures else "green")
    raise SystemExit(1 if failures else 0)
