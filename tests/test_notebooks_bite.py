"""Every graded notebook proves its tests bite: reference full, released stub zero, wrong answers lose.

One test per (notebook, run), so pytest-xdist spreads the kernel runs over the cores.
"""

from pathlib import Path

import pytest

from course.authoring.layout import lesson_ids
from course.checks.bite import check, run_names

ROOT = Path(__file__).resolve().parent.parent

RUNS = [(aid, run) for aid in lesson_ids(ROOT) if not aid.startswith("gate-") for run in run_names(ROOT, aid)]


def test_every_graded_notebook_has_wrong_answers():
    from course.checks.bite import load_variants

    missing = [aid for aid in lesson_ids(ROOT) if not aid.startswith("gate-") and not load_variants(ROOT, aid)]
    assert not missing, f"no wrong answers in tests/fixtures/wrong_answers for: {missing}"


@pytest.mark.parametrize(("assignment_id", "run"), RUNS, ids=[f"{a}:{r}" for a, r in RUNS])
def test_tests_bite(assignment_id, run):
    outcome = check(ROOT, assignment_id, run)
    assert outcome.ok, "\n".join(outcome.problems) + f"\nscores: {outcome.scores}"
