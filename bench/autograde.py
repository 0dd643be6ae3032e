#!/usr/bin/env python3
"""Benchmark: `course autograde --jobs 2` against `nbgrader autograde`.

Grades the same N submissions of the pilot lesson twice, each in a fresh
scratch copy of the course (the repo's own class data is never touched):
once with `course autograde ID --jobs J`, once with plain `nbgrader autograde
ID`, both as the instructor would run them (separate processes, start-up
included). The pair is repeated (default 3 times, interleaved, each run on
a fresh copy) and the medians are compared: this machine is noisy. Prints the
wall times, the speed-up (target >= 1.7x with 2 jobs) and the per-notebook
overhead beyond the cells' own run time (target <= 1.5 s), the cells' run time
being read from the execution timing nbclient records in every autograded
notebook (`metadata.execution`, busy -> idle).

The class is well behaved on purpose (reference, blank, partial and wrong
answers; no infinite loops), so the figures measure grading overhead, not
timeouts.

    .venv/bin/python bench/autograde.py            # 20 submissions, 2 jobs, 3 runs
    .venv/bin/python bench/autograde.py --students 40 --jobs 2 --repeat 5 --keep

The default class is 20, the smallest the speed target is set for and the
hardest: `course autograde` spends about 1.2 s before it grades its first
student (nbgrader's import in the worker pool's forkserver, ~1 s of it),
which weighs twice as much in a 20-student run as in a 40-student one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from course.grading import demo_class  # noqa: E402
from course.grading.scratch_course import copy_course, make_scratch_course  # noqa: E402

ASSIGNMENT = "day2-03-changesets-and-validations"
SPEEDUP_TARGET, OVERHEAD_TARGET = 1.7, 1.5
WELL_BEHAVED = ("-perfect", "-blank", "-partial", "-mostly-done")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Targets: speed-up >= 1.7x with --jobs 2; overhead <= 1.5 s per notebook.")
    parser.add_argument("--students", type=int, default=20, help="submissions to grade (default 20, at least 2)")
    parser.add_argument("--jobs", type=int, default=2, help="workers for `course autograde` (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command; medians are compared (default 3)")
    parser.add_argument("--assignment", default=ASSIGNMENT, help=f"assignment to grade (default {ASSIGNMENT})")
    parser.add_argument("--keep", action="store_true", help="keep the scratch courses and print where they are")
    args = parser.parse_args()
    if args.students < 2 or args.jobs < 1 or args.repeat < 1:
        parser.error("--students must be at least 2, --jobs and --repeat at least 1")
    return args


def plan(course, assignment: str, size: int) -> list[demo_class.StudentPlan]:
    """`size` well-behaved students: reference, blank, partial, wrong answers, then mixed ones."""
    lesson = demo_class.load_lesson(course, assignment)
    everyone = demo_class.plan_class(lesson, size + 16)
    chosen = [p for p in everyone if p.student.endswith(WELL_BEHAVED) or "-wrong-" in p.student]
    chosen += [p for p in everyone if "-mixed-" in p.student]
    chosen = chosen[:size]
    demo_class.write_class(course, lesson, chosen)
    return chosen


def timed(args: list[str], cwd: Path) -> float:
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    started = time.monotonic()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        print((done.stdout + done.stderr)[-3000:], file=sys.stderr)
        raise SystemExit(f"`{' '.join(args[:3])} …` failed with exit code {done.returncode}")
    return seconds


def cells_seconds(root: Path, assignment: str) -> tuple[float, int]:
    """Sum of the code cells' own run time (nbclient timing) over all autograded notebooks, and their count."""
    total, count = 0.0, 0
    for path in root.glob(f"autograded/*/{assignment}/*.ipynb"):
        count += 1
        for cell in nbformat.read(path, as_version=4).cells:
            timing = cell.get("metadata", {}).get("execution", {})
            start, end = timing.get("iopub.status.busy"), timing.get("iopub.status.idle")
            if start and end:
                total += (datetime.fromisoformat(end.replace("Z", "+00:00"))
                          - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
    return total, count


def checked_cells_seconds(root: Path, assignment: str, students: int, who: str) -> float:
    """The cells' own run time over a run, after checking every submission was graded."""
    seconds, count = cells_seconds(root, assignment)
    if count != students:
        raise SystemExit(f"expected {students} autograded notebooks from {who}, got {count}")
    return seconds


def main() -> int:
    args = parse_args()
    load_before = os.getloadavg()[0]
    bin_dir = Path(sys.executable).parent
    scratch = Path(tempfile.mkdtemp(prefix="bench-autograde-"))
    try:
        print(f"Preparing {args.students} submissions of {args.assignment} in {scratch} …", flush=True)
        base = make_scratch_course(REPO, scratch / "base", [args.assignment])
        plan(base, args.assignment, args.students)
        par_walls, seq_walls, par_cells, seq_cells = [], [], [], []
        for run in range(1, args.repeat + 1):
            parallel = copy_course(base, scratch / f"parallel-{run}")
            sequential = copy_course(base, scratch / f"sequential-{run}")
            print(f"run {run}/{args.repeat}: course autograde --jobs {args.jobs} …", end=" ", flush=True)
            par_walls.append(timed([str(bin_dir / "course"), "autograde", args.assignment, "--jobs", str(args.jobs),
                                    "--root", str(parallel.root)], parallel.root))
            print(f"{par_walls[-1]:.1f} s; nbgrader autograde …", end=" ", flush=True)
            seq_walls.append(timed([str(bin_dir / "nbgrader"), "autograde", args.assignment], sequential.root))
            print(f"{seq_walls[-1]:.1f} s ({seq_walls[-1] / par_walls[-1]:.2f}x)", flush=True)
            par_cells.append(checked_cells_seconds(parallel.root, args.assignment, args.students, "course"))
            seq_cells.append(checked_cells_seconds(sequential.root, args.assignment, args.students, "nbgrader"))
        par_wall, seq_wall = statistics.median(par_walls), statistics.median(seq_walls)
        par_cells, seq_cells = statistics.median(par_cells), statistics.median(seq_cells)
        n = args.students
        speedup = seq_wall / par_wall
        par_overhead = (par_wall * args.jobs - par_cells) / n
        seq_overhead = (seq_wall - seq_cells) / n
        print()
        print(f"medians of {args.repeat} run(s):")
        print(f"{'':32}{'wall':>9}{'per notebook':>15}{'cells':>9}{'overhead':>11}")
        print(f"{'nbgrader autograde':32}{seq_wall:8.1f}s{seq_wall / n:14.2f}s{seq_cells / n:8.2f}s"
              f"{seq_overhead:10.2f}s")
        print(f"{f'course autograde --jobs {args.jobs}':32}{par_wall:8.1f}s{par_wall * args.jobs / n:14.2f}s"
              f"{par_cells / n:8.2f}s{par_overhead:10.2f}s   (per notebook = wall x jobs / N)")
        print()
        ok_speed = speedup >= SPEEDUP_TARGET
        ok_overhead = par_overhead <= OVERHEAD_TARGET
        print(f"speed-up: {speedup:.2f}x  (target >= {SPEEDUP_TARGET}x: {'met' if ok_speed else 'NOT met'})")
        print(f"overhead beyond the cells' run time: {par_overhead:.2f} s per notebook with course autograde, "
              f"{seq_overhead:.2f} s with nbgrader  (target <= {OVERHEAD_TARGET} s: "
              f"{'met' if ok_overhead else 'NOT met'})")
        print(f"machine: {os.cpu_count()} cores; 1-minute load average {load_before:.1f} before, "
              f"{os.getloadavg()[0]:.1f} after (other work on the machine skews both figures)")
        return 0 if ok_speed and ok_overhead else 1
    finally:
        if args.keep:
            print(f"scratch courses kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
