"""What the instructor sees while a class is graded: a progress bar, a line
per student as they finish, and a summary table at the end.

Kept apart from the grading so the grading code never prints and the
commands never format.
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from course.grading.html_page import points
from course.grading.parallel_autograde import FAILED, GRADED, MALFORMED, Outcome

STYLE = {GRADED: "green", FAILED: "red", MALFORMED: "yellow"}
MARK = {GRADED: "✓", FAILED: "✗", MALFORMED: "!"}


def outcome_line(outcome: Outcome) -> str:
    style = STYLE[outcome.status]
    score = f"{points(outcome.score)} / {points(outcome.max_score)}" if outcome.score is not None else ""
    text = f"[{style}]{MARK[outcome.status]} {outcome.student}[/] {outcome.status}"
    if score:
        text += f" [bold]{score}[/]"
    if outcome.seconds:
        text += f" [dim]({outcome.seconds:.1f} s)[/]"
    if outcome.message:
        text += f" — {outcome.message}"
    return text


@contextlib.contextmanager
def grading_progress(console: Console, total: int, label: str) -> Iterator[Callable[[Outcome], None]]:
    """Yields the callback to give `parallel_autograde.autograde`."""
    progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True)
    with progress:
        task = progress.add_task(label, total=total)

        def on_outcome(outcome: Outcome) -> None:
            progress.console.print(outcome_line(outcome), highlight=False)
            progress.advance(task)

        yield on_outcome


def summary_table(outcomes: list[Outcome], title: str, behaviours: dict[str, str] | None = None,
                  width: int = 80) -> Table:
    """One row per student, fitted to `width` columns; the reasons of
    failures follow the table (see `failure_notes`)."""
    spare = max(30, width - 34)  # what status, score, time and padding leave
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("student", no_wrap=True, overflow="ellipsis",
                     max_width=spare * 11 // 20 if behaviours else spare)
    if behaviours:
        table.add_column("simulates", style="dim", overflow="ellipsis", no_wrap=True, max_width=spare * 9 // 20)
    table.add_column("status", no_wrap=True, min_width=9)
    table.add_column("score", justify="right", no_wrap=True, min_width=7)
    table.add_column("time", justify="right", no_wrap=True, min_width=6)
    for o in outcomes:
        row = [o.student]
        if behaviours:
            row.append(behaviours.get(o.student, ""))
        row += [f"[{STYLE[o.status]}]{o.status}[/]",
                f"{points(o.score)} / {points(o.max_score)}" if o.score is not None else "–",
                f"{o.seconds:.1f} s" if o.seconds else "–"]
        table.add_row(*row)
    return table


def failure_notes(outcomes: list[Outcome]) -> list[str]:
    return [f"[{STYLE[o.status]}]{MARK[o.status]} {o.student}[/]: {o.message}"
            + (f" [dim](log: {o.log_path})[/]" if o.log_path and o.status != MALFORMED else "")
            for o in outcomes if not o.ok]


def summary_line(outcomes: list[Outcome], seconds: float, jobs: int) -> str:
    graded = sum(o.status == GRADED for o in outcomes)
    failed = sum(o.status == FAILED for o in outcomes)
    malformed = sum(o.status == MALFORMED for o in outcomes)
    parts = [f"[green]{graded} graded[/]"]
    if failed:
        parts.append(f"[red]{failed} could not be graded[/]")
    if malformed:
        parts.append(f"[yellow]{malformed} unreadable[/]")
    return f"{', '.join(parts)} — {len(outcomes)} submissions in {seconds:.1f} s with {jobs} worker(s)."
