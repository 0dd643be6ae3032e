"""The `Grade` helper's own ExUnit suite (course/elixir_helpers/test/grade_test.exs), run from pytest."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from course import elixir_build

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "course" / "elixir_helpers" / "test" / "grade_test.exs"

pytestmark = pytest.mark.skipif(shutil.which("elixir") is None, reason="elixir not installed")


def test_grade_exunit_suite_passes():
    ebin = elixir_build.ensure_compiled()
    proc = subprocess.run(
        ["elixir", "-pa", str(ebin), str(SUITE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = f"exit code {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    assert proc.returncode == 0, output
    summary = re.search(r"(\d+) tests?, (\d+) failures?", proc.stdout)
    assert summary, output
    assert int(summary.group(1)) > 0, output
    assert int(summary.group(2)) == 0, output
    # The helper's macro expansion and the suite must compile without warnings
    # (in grading, anything on stderr zeroes a test cell).
    assert "warning" not in proc.stderr, output
