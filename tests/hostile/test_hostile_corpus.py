"""Hostile and broken submissions graded end to end through nbgrader (issue 13).

One grading run of the whole corpus (tests/hostile/corpus.py writes it into a
tmp scratch course): runaway code, tampering, confidentiality probes and
broken files, plus a perfect control. Each case is a subtest asserting its
scores per test cell and the sentence or output that explains it; the run as
a whole must finish and grade every student it can.
"""

from __future__ import annotations

import sqlite3
import time

import nbformat

import corpus
from corpus import REPO, run_autograde
from course.grading import results


def cell_text(course, student: str, grade_id: str) -> str:
    path = course.path("autograded", student, corpus.ASSIGNMENT, f"{corpus.ASSIGNMENT}.ipynb")
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts += [output.get("ename", ""), output.get("evalue", ""), *output.get("traceback", [])]
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def expected_root_listing() -> str:
    """What `File.ls!("/")` shows inside the sandbox: system dirs, plus the top
    directory of the checkout, whose code dirs are bound read-only at their real path."""
    names = {"bin", "dev", "etc", "lib", "lib64", "proc", "sbin", "tmp", "usr", REPO.resolve().parts[1]}
    return "[" + ", ".join(f'"{name}"' for name in sorted(names)) + "]"


def test_the_hostile_corpus(tmp_path, subtests):
    course = corpus.make_course(REPO, tmp_path)
    cases = corpus.write_class(course)
    started = time.monotonic()
    run = run_autograde(course, corpus.ASSIGNMENT, jobs=2)
    wall = time.monotonic() - started
    print(f"\ncorpus: {len(cases)} submissions graded in {wall:.1f} s")
    scores = results.cell_scores(course, corpus.ASSIGNMENT)
    scores = scores[scores.cell_type == "code"]
    status = results.submission_status(course, corpus.ASSIGNMENT).set_index("student")

    with subtests.test("the run finished and reported every student"):
        assert run.returncode == 1, run.stdout + run.stderr  # 1: some submissions are reported, not graded
        assert "Traceback" not in run.stdout
        assert set(status.index) == {case.student for case in cases}

    for case in cases:
        with subtests.test(case.student):
            if case.scores is None:
                assert status.status[case.student] in ("malformed", "failed")
                assert case.phrase.lower() in status.message[case.student].lower(), status.message[case.student]
                continue
            assert status.status[case.student] == "graded", status.message[case.student]
            mine = scores[scores.student == case.student].set_index("cell").auto_score.to_dict()
            assert mine == case.scores
            if case.phrase:
                text = cell_text(course, case.student, case.cell)
                assert case.phrase.lower() in text.lower(), text[-2000:]

    with subtests.test("the output flood was capped in the notebook"):
        path = course.path("autograded", "attack-output-flood", corpus.ASSIGNMENT, f"{corpus.ASSIGNMENT}.ipynb")
        assert path.stat().st_size < 3 * 1024 * 1024

    with subtests.test("confidentiality probes all failed inside the sandbox"):
        text = cell_text(course, "attack-read-secrets", "ex1")
        probes = [line for line in text.splitlines() if line.startswith("probe ")]
        assert len(probes) == 5 and all(line.endswith(": :error") for line in probes), probes
        assert "write gradebook: {:error," in text
        assert f"ls root: {expected_root_listing()}" in text, text
        assert "ls course: {:error, :enoent}" in text
        assert "tcp: {:error, :enetunreach}" in text or "tcp: {:error, :econnrefused}" in text, text
        assert "dns: {:error," in text
        assert "cwd: /tmp/home" in text
        env_line = next(line for line in text.splitlines() if line.startswith("env: "))
        assert "NBGRADER" not in env_line and "JPY" not in env_line, env_line
        assert corpus.HIDDEN_MARK not in text

    with subtests.test("the gradebook is intact and consistent"):
        with sqlite3.connect(course.path("gradebook.db")) as db:
            assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
            dupes = db.execute("select count(*) from (select student_id, assignment_id, count(*) c "
                               "from submitted_assignment group by 1, 2 having c > 1)").fetchone()[0]
            assert dupes == 0

