"""No lost grades (issue 13): 40 submissions of the tiny assignment, graded in
parallel, match the scores they were built to earn; a run killed half-way and
started again ends with the same scores, one submission row per student and a
consistent gradebook. (`course autograde --jobs 2` against plain sequential
`nbgrader autograde` is compared in tests/test_grading_end_to_end.py.)
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import corpus
from corpus import REPO, autograde_command, grading_env, run_autograde
from course.grading import results

EX1 = {2.0: corpus.GOOD1, 0.0: corpus.WRONG1,
       1.0: "defmodule Ex1 do\n  def double(2), do: 4\n  def double(x), do: x\nend"}
EX2 = {1.0: corpus.GOOD2, 0.0: corpus.WRONG2}
STUDENTS = 40


def write_load_class(course) -> dict[str, dict[str, float]]:
    expected = {}
    for index in range(STUDENTS):
        ex1 = list(EX1)[index % 3]
        ex2 = list(EX2)[(index // 3) % 2]
        student = f"load-{index:02d}"
        corpus.write(course, student, corpus.answered(course, EX1[ex1], EX2[ex2]))
        expected[student] = {"ex1-tests": ex1, "ex2-tests": ex2}
    return expected


def graded_scores(course) -> dict[str, dict[str, float]]:
    scores = results.cell_scores(course, corpus.ASSIGNMENT)
    scores = scores[scores.cell_type == "code"]
    return {student: rows.set_index("cell").auto_score.to_dict() for student, rows in scores.groupby("student")}


def assert_consistent(course) -> None:
    with sqlite3.connect(course.path("gradebook.db")) as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        rows = db.execute("select student_id, count(*) from submitted_assignment group by 1").fetchall()
        assert len(rows) == STUDENTS and all(count == 1 for _, count in rows), rows
        grades = db.execute("select count(*), count(auto_score) from grade g join grade_cells gc "
                            "on g.cell_id = gc.id where gc.cell_type = 'code'").fetchone()
        assert grades == (STUDENTS * 2, STUDENTS * 2), grades


def test_forty_in_parallel_and_a_killed_run_lose_nothing(tmp_path, subtests):
    course = corpus.make_course(REPO, tmp_path / "a")
    expected = write_load_class(course)

    started = time.monotonic()
    run = run_autograde(course, corpus.ASSIGNMENT, jobs=2)
    print(f"\n{STUDENTS} submissions graded with --jobs 2 in {time.monotonic() - started:.1f} s")
    with subtests.test("parallel grading gives every submission the score it was built to earn"):
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert graded_scores(course) == expected
        assert_consistent(course)

    # the same class again, killed once about half of it has been graded
    restarted = corpus.make_course(REPO, tmp_path / "b")
    write_load_class(restarted)
    proc = subprocess.Popen(autograde_command(restarted, corpus.ASSIGNMENT, 2), env=grading_env(),
                            cwd=restarted.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 400
    autograded = restarted.path("autograded")
    while time.monotonic() < deadline and proc.poll() is None:
        if autograded.is_dir() and len(list(autograded.iterdir())) >= STUDENTS // 2:
            break
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)  # the coordinator, forkserver and workers: a power cut
    proc.wait()
    done_before = len(list(autograded.iterdir())) if autograded.is_dir() else 0
    again = run_autograde(restarted, corpus.ASSIGNMENT, jobs=2)
    with subtests.test("a run killed half-way and started again loses and duplicates nothing"):
        assert 0 < done_before < STUDENTS, done_before
        assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
        assert graded_scores(restarted) == expected
        assert_consistent(restarted)
