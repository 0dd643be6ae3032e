"""The hostile corpus needs the installed `elixir` kernelspec (helpers live in corpus.py)."""

from __future__ import annotations

import subprocess

import pytest

from corpus import VENV_BIN, grading_env


@pytest.fixture(autouse=True)
def _require_kernel():
    listing = subprocess.run([str(VENV_BIN / "jupyter"), "kernelspec", "list"], capture_output=True, text=True,
                             env=grading_env()).stdout
    if "elixir" not in listing:
        pytest.fail("the `elixir` kernelspec is not installed in .venv: run `make setup`")
