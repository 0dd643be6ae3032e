"""nbval re-runs a committed sample notebook through the kernel and compares every output."""

import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).parent / "notebooks" / "elixir-basics.ipynb"


def test_sample_notebook_outputs_are_reproduced():
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", str(SAMPLE), "-q", "-p", "no:cacheprovider",
         "-p", "no:xdist", "--rootdir", str(SAMPLE.parent)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "6 passed" in proc.stdout
