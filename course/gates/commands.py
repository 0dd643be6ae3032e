"""`course gates run` and `course gates report`: performance gates with papermill, like the roadmap's `make ci`."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from course.gates.runs import GateUsageError, RunResult, collect, execute, plan

OUT_HELP = "Where executed notebooks, metrics and reports go (default: ROOT/gates-runs)."
ROOT_HELP = "Course root (holds source/ and submitted/)."


def _out(root: Path, out: Path | None) -> Path:
    return Path(out) if out else Path(root) / "gates-runs"


def _results_table(results: list[RunResult]) -> Table:
    table = Table("gate", "who", "targets met", "tests", "time", "status", title="Performance gates")
    for r in sorted(results, key=lambda r: (r.gate, r.who)):
        met = f"{r.met}/{len(r.verdicts)}" if r.verdicts else "–"
        tests = f"{r.tests[0]:g}/{r.tests[1]:g}" if r.tests else "–"
        if r.passed:
            status = "[green]pass[/]"
        else:
            missed = [v.target for v in r.verdicts if not v.passed]
            status = "[red]" + (r.problem or f"missed: {', '.join(missed)}") + "[/]"
        table.add_row(r.gate, r.who, met, tests, f"{r.seconds:.1f} s", status)
    return table


@click.group()
def gates() -> None:
    """Performance gates: run gate notebooks with papermill and judge them against the roadmap's targets."""


@gates.command("run")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--student", "students", multiple=True, metavar="S",
              help="Run this student's submission submitted/S/ID/ID.ipynb (repeatable).")
@click.option("--reference", is_flag=True, help="Run the reference solution source/ID/ID.ipynb (the default).")
@click.option("--quick", is_flag=True, help="Quick mode (few samples, seconds per gate); default is the full gate.")
@click.option("--samples", type=click.IntRange(min=1), help="Samples per latency measurement (papermill parameter).")
@click.option("--warmup", type=click.IntRange(min=0), help="Warm-up calls before each measurement.")
@click.option("--concurrency", type=click.IntRange(min=1), help="Concurrent callers in throughput runs.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Notebooks run at once. Each gate measures the machine: more jobs, noisier numbers.")
@click.option("--timeout", type=click.IntRange(min=1), default=600, show_default=True,
              help="Seconds a single cell may run before it is interrupted.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True, help=ROOT_HELP)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=OUT_HELP)
def run(ids, students, reference, quick, samples, warmup, concurrency, jobs, timeout, root, out) -> None:
    """Run gate notebooks (all gates when no ID is given) and judge every target.

    Writes OUT/ID/WHO/ID.ipynb (executed) and chart.png, OUT/metrics.csv and
    metrics.json (one row per gate, student and target) and OUT/report.html.
    Exit status: 0 when every target of every run is met, 1 when one is
    missed or not measured, 2 when the command is called wrongly.
    """
    console = Console(highlight=False)
    try:
        runs = plan(root, list(ids), list(students), reference)
    except GateUsageError as exc:
        raise click.UsageError(str(exc)) from None
    out = _out(root, out)
    parameters = {"quick": bool(quick)}
    parameters.update({k: v for k, v in (("samples", samples), ("warmup", warmup), ("concurrency", concurrency)) if v is not None})

    results: list[RunResult] = []
    columns = [TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(f"running {len(runs)} gate notebook(s)", total=len(runs))
        if jobs == 1 or len(runs) == 1:
            for item in runs:
                progress.update(task, description=f"{item.gate} · {item.who}")
                results.append(execute(item, out, parameters, timeout))
                progress.advance(task)
        else:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                futures = [pool.submit(execute, item, out, parameters, timeout) for item in runs]
                for future in as_completed(futures):
                    results.append(future.result())
                    progress.advance(task)

    from course.gates import metrics, report

    everything = collect(out)
    csv_path, json_path = metrics.write(out, everything)
    html_path = report.write_run_report(out, everything)
    console.print(_results_table(results))
    failed = [r for r in results if not r.passed]
    console.print(f"{len(results) - len(failed)} of {len(results)} gate runs meet every target. "
                  f"Metrics: {csv_path}, {json_path}. Report: {html_path}.")
    raise SystemExit(1 if failed else 0)


@gates.command("report")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True, help=ROOT_HELP)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=OUT_HELP)
def report_command(root, out) -> None:
    """Class view: which students meet which targets, from every gate run so far.

    Writes OUT/class-report.html and OUT/class-report.png (a heatmap), and
    refreshes OUT/report.html and the metrics tables.
    """
    from course.gates import metrics, report

    console = Console(highlight=False)
    out = _out(root, out)
    results = collect(out)
    if not results:
        raise click.UsageError(f"there are no gate runs in {out}; run `course gates run` first")
    metrics.write(out, results)
    report.write_run_report(out, results)
    html_path, png_path = report.write_class_report(out, results)
    students, columns, cells = report.class_matrix(results)
    table = Table("student", "targets met", "missed", title="Class view")
    for student in students:
        met = sum(1 for c in columns if cells.get((student, c)) == "pass")
        missed = [c for c in columns if cells.get((student, c)) == "fail"]
        table.add_row(student, f"{met}/{len(columns)}", ", ".join(missed) or "–")
    if students:
        console.print(table)
    else:
        console.print("Only the reference solution has been run; run `course gates run --student S` for a class view.")
    console.print(f"Class report: {html_path} (heatmap {png_path}).")
