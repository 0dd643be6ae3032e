"""Thin wrappers over nbgrader's exchange commands, run as documented.

`course publish ID` is `nbgrader release_assignment ID` (release/ID ->
EXCHANGE/COURSE/outbound/ID, where students fetch it) and `course collect
ID` is `nbgrader collect ID --update` (EXCHANGE/COURSE/inbound -> submitted/,
the latest submission of each student wins). They run the real `nbgrader`
executable in the course folder, so its configuration (nbgrader_config.py:
exchange root, course id) applies exactly as for an instructor typing the
command, and they turn nbgrader's log into a sentence when it fails.

(The name `course release` is taken: it is `nbgrader generate_assignment`,
source/ -> release/.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from course.grading.course_root import Course, CourseError


@dataclass(frozen=True)
class Collected:
    student: str
    timestamp: str


def nbgrader_command() -> list[str]:
    """`nbgrader` of this very environment (the same as the `nbgrader` script)."""
    return [sys.executable, "-m", "nbgrader"]


def _exchange_args(exchange: Path | None) -> list[str]:
    return [f"--Exchange.root={Path(exchange).resolve()}"] if exchange else []


def run_nbgrader(course: Course, args: list[str], what: str) -> str:
    """Run `nbgrader ARGS` in the course folder; its log, or CourseError."""
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}
    done = subprocess.run([*nbgrader_command(), *args], cwd=course.root, capture_output=True, text=True, env=env)
    log = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        reasons = [line.split("]", 1)[-1].strip() for line in log.splitlines()
                   if "[error]" in line.lower() or "[critical]" in line.lower()]
        reason = " ".join(reasons[-2:]) or "\n".join(log.splitlines()[-6:])
        raise CourseError(f"{what} failed (nbgrader exit code {done.returncode}): {reason}")
    return log


def exchange_root(course: Course, exchange: Path | None) -> Path:
    if exchange:
        return Path(exchange).resolve()
    config = course.nbgrader_config()
    return Path(config.get("Exchange", {}).get("root", "/srv/nbgrader/exchange"))


def publish(course: Course, assignment: str, exchange: Path | None = None, force: bool = False) -> str:
    """`nbgrader release_assignment ASSIGNMENT` (needs release/ASSIGNMENT)."""
    if not course.path("release", assignment).is_dir():
        raise CourseError(f"There is no release/{assignment}/ to publish: run `course release {assignment}` first.")
    args = ["release_assignment", assignment, *_exchange_args(exchange)] + (["--force"] if force else [])
    return run_nbgrader(course, args, f"Publishing {assignment} to the exchange")


def collect(course: Course, assignment: str, exchange: Path | None = None) -> list[Collected]:
    """`nbgrader collect ASSIGNMENT --update`: each student's latest submission
    into submitted/STUDENT/ASSIGNMENT/. Returns what is there afterwards."""
    run_nbgrader(course, ["collect", assignment, "--update", *_exchange_args(exchange)],
                 f"Collecting {assignment} from the exchange")
    found = []
    for stamp in sorted(course.path("submitted").glob(f"*/{assignment}/timestamp.txt")):
        found.append(Collected(stamp.parent.parent.name, stamp.read_text(encoding="utf-8").strip()))
    return found
