"""Grade many submissions at once, each one by nbgrader's own autograder.

`nbgrader autograde` runs students one after another: on a 2-core machine one
core waits while the other runs a kernel. Here a pool of worker processes each
calls `NbGraderAPI.autograde(assignment, student)` in-process, so grading
logic, gradebook rows and autograded notebooks are exactly nbgrader's; only
the scheduling is ours.

Safety rules, one per failure a class produces:
* the gradebook URL carries an SQLite busy timeout (see `course_root`), and
  the rows every worker would race to create (the course rows) are created
  before the pool starts, so concurrent writers wait instead of failing;
* a student whose grading fails (kernel died, unresponsive kernel, anything
  nbgrader raises) becomes a failed outcome with a one-sentence reason and a
  log file; the other students carry on;
* a worker process that dies outright breaks the pool: the students it held
  are retried once in a fresh pool, then reported as failed;
* workers fork from a "forkserver" that preloaded nbgrader (`worker_pool`),
  so they start fast and never inherit the progress display's threads.

Two things differ from plain `nbgrader autograde`, both only in speed:
* unless the course configures it, a notebook's kernel is shut down
  "immediate"ly once its last cell has run (nothing of it is needed any more;
  the Elixir kernel's BEAM exits when its pipe closes). A graceful shutdown
  costs 0.3-2.6 s per notebook; grades do not depend on it;
* a worker keeps one SQLAlchemy engine per gradebook (`gradebook_engines`)
  where nbgrader would create about ten per notebook.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from course.grading.course_root import Course
from course.grading.failure_reasons import explain
from course.grading.submissions import Submission
from course.grading.worker_pool import pool_context

GRADED, FAILED, MALFORMED = "graded", "failed", "malformed"


@dataclass(frozen=True)
class Outcome:
    """What happened to one student's submission."""

    student: str
    status: str  # GRADED | FAILED | MALFORMED
    seconds: float = 0.0
    message: str = ""
    score: float | None = None
    max_score: float | None = None
    log_path: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == GRADED


def log_folder(course: Course, assignment: str) -> Path:
    """Where each student's grading log is kept (beside the class report)."""
    return course.path("reports", assignment, "autograde-logs")


def prepare_gradebook(course: Course, students: Iterable[str]) -> None:
    """Create, once and alone, the rows that parallel graders would otherwise
    race to insert: the course (nbgrader's preprocessors open the gradebook
    with the default course id too) and the students."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gb:
        pass
    with Gradebook(course.db_url, course.course_id) as gb:
        for student in students:
            gb.update_or_create_student(student)


def assignment_in_gradebook(course: Course, assignment: str) -> bool:
    if course.db_url.startswith("sqlite:"):
        # A plain query: the coordinator never imports nbgrader (~1 s of a core).
        path = course.path("gradebook.db")
        if not path.exists():
            return False
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as db:
            try:
                row = db.execute("select 1 from assignment where name = ? and course_id = ?",
                                 (assignment, course.course_id)).fetchone()
            except sqlite3.DatabaseError:
                return False
        return row is not None

    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            return False
    return True


# --- worker side -------------------------------------------------------------

_worker_api = None


def _start_worker(root: str) -> None:
    from course.grading.gradebook_engines import reuse_gradebook_engines  # nbgrader: workers only

    os.chdir(root)
    reuse_gradebook_engines()


def _api(root: str):
    """One NbGraderAPI per worker process, configured like `nbgrader` in root."""
    global _worker_api
    if _worker_api is None:
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        config = Course.open(root).nbgrader_config()
        if "shutdown_kernel" not in config.get("Execute", {}):
            config.Execute.shutdown_kernel = "immediate"
        coursedir = CourseDirectory(config=config)
        _worker_api = NbGraderAPI(coursedir=coursedir, config=config)
    return _worker_api


@contextlib.contextmanager
def _output_to(path: Path):
    """Send this process's stdout/stderr (and its kernels') to `path`."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def _score(root: str, assignment: str, student: str) -> tuple[float | None, float | None, bool]:
    """(score, max score, every code grade has an auto score) from the gradebook."""
    from nbgrader.api import Gradebook

    course = Course.open(root)
    with Gradebook(course.db_url, course.course_id) as gb:
        submission = gb.find_submission(assignment, student)
        complete = all(
            grade.auto_score is not None
            for notebook in submission.notebooks
            for grade in notebook.grades
            if grade.cell_type == "code"
        )
        return submission.score, submission.max_score, complete


def grade_one(root: str, assignment: str, student: str, log_path: str) -> Outcome:
    """Autograde one student with nbgrader (runs in a worker process).

    Never raises: every failure becomes an Outcome with a sentence.
    """
    started = time.monotonic()
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    Path(log_path).write_text(f"course autograde {assignment} --student {student}\n", encoding="utf-8")
    try:
        with _output_to(Path(log_path)):
            result = _api(root).autograde(assignment, student, force=True, create=True)
    except BaseException as error:  # noqa: BLE001 - a worker must report, not die
        result = {"success": False, "log": "", "error": f"{type(error).__name__}: {error}"}
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(result.get("log", ""))
        if result.get("error"):
            log.write("\n" + result["error"])
    seconds = time.monotonic() - started
    if not result.get("success"):
        return Outcome(student, FAILED, seconds, explain(result.get("log", ""), result.get("error", "")),
                       log_path=log_path)
    try:
        score, max_score, complete = _score(root, assignment, student)
    except Exception as error:  # noqa: BLE001
        return Outcome(student, FAILED, seconds, f"graded, but the gradebook could not be read ({error}).",
                       log_path=log_path)
    if not complete:
        return Outcome(student, FAILED, seconds, "nbgrader left some test cells without a score.",
                       score, max_score, log_path)
    return Outcome(student, GRADED, seconds, "", score, max_score, log_path)


# --- coordinator side --------------------------------------------------------

def _prepare(root: str, students: list[str]) -> None:
    prepare_gradebook(Course.open(root), students)


def _warm(root: str) -> int:
    _api(root)
    return os.getpid()


def autograde(
    course: Course,
    assignment: str,
    submissions: list[Submission],
    jobs: int,
    on_outcome: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Grade `submissions` with `jobs` workers; call `on_outcome` as each ends.

    Unreadable submissions are reported without being run. Returns one
    Outcome per submission, in student order.
    """
    outcomes: dict[str, Outcome] = {}
    for submission in submissions:
        if not submission.readable:
            outcome = Outcome(submission.student, MALFORMED, message=" ".join(submission.problems))
            outcomes[submission.student] = outcome
            on_outcome(outcome)

    pending = [s.student for s in submissions if s.readable]
    logs = log_folder(course, assignment)
    retries: dict[str, int] = {}
    prepared = False
    while pending:
        retry: list[str] = []
        workers = max(1, min(jobs, len(pending)))
        with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context(),
                                 initializer=_start_worker, initargs=(str(course.root),)) as pool:
            warming = [pool.submit(_warm, str(course.root)) for _ in range(workers)]
            if not prepared:  # in a worker, which has nbgrader imported already
                pool.submit(_prepare, str(course.root), pending).result()
                prepared = True
            for future in warming:
                with contextlib.suppress(Exception):
                    future.result()
            futures = {
                pool.submit(grade_one, str(course.root), assignment, student, str(logs / f"{student}.log")): student
                for student in pending
            }
            for future in as_completed(futures):
                student = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    outcome = Outcome(student, FAILED, message="the grading worker process died.")
                except Exception as error:  # noqa: BLE001
                    outcome = Outcome(student, FAILED, message=f"grading crashed ({type(error).__name__}: {error}).")
                retryable = outcome.status == FAILED and (
                    "worker process died" in outcome.message or "database stayed busy" in outcome.message)
                if retryable and retries.get(student, 0) < 1:
                    retries[student] = retries.get(student, 0) + 1
                    retry.append(student)
                    continue
                outcomes[student] = outcome
                on_outcome(outcome)
        pending = retry
    return [outcomes[s.student] for s in submissions]
