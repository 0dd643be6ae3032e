"""`course verify`: show an author that a notebook's tests bite, before students ever see it."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from course.authoring.layout import select_ids
from course.checks.bite import check, run_names


@click.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--run", "runs", multiple=True, metavar="NAME",
              help="Only these runs: reference, stub, or a wrong answer's name (repeatable).")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              help="Course root (holds lessons/, source/, release/, tests/fixtures/).")
def verify(ids: tuple[str, ...], runs: tuple[str, ...], root: Path) -> None:
    """Run each notebook as reference, released stub and every wrong answer; check the scores.

    The reference must score full points, the stub zero, and each wrong answer
    must lose points in the tests cells it names. Exits 1 if any run disagrees.
    """
    console = Console(highlight=False)
    selected = select_ids(root, ids)
    plan = [(aid, run) for aid in selected for run in run_names(root, aid) if not runs or run in runs]
    failures = 0
    table = Table("notebook", "run", "scores", "seconds", "verdict", title="Do the tests bite?")
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("running notebooks", total=len(plan))
        for assignment_id, run in plan:
            outcome = check(root, assignment_id, run)
            scores = "  ".join(f"{gid} {s:g}/{m:g}" for gid, (s, m) in outcome.scores.items())
            verdict = "[green]ok[/]" if outcome.ok else "[red]" + "; ".join(outcome.problems) + "[/]"
            failures += not outcome.ok
            table.add_row(assignment_id, run, scores, f"{outcome.seconds:.1f}", verdict)
            progress.advance(task)
    console.print(table)
    console.print(f"{len(plan) - failures} of {len(plan)} runs as expected")
    raise SystemExit(1 if failures else 0)
