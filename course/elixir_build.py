"""`python -m course.elixir_build`: compile the course's preloaded Elixir helpers once.

The sources in ``course/elixir_helpers/lib`` (grading helper, benchmark helpers) become
``course/elixir_helpers/ebin``, which the kernelspec puts on the BEAM code path.
"""

import sys
from pathlib import Path

from elixir_kernel.build import CompileError, compile_dir

ELIXIR_DIR = Path(__file__).parent / "elixir_helpers"
SOURCES = ELIXIR_DIR / "lib"
EBIN = ELIXIR_DIR / "ebin"


def ensure_compiled() -> Path:
    compile_dir(SOURCES, EBIN)
    return EBIN


if __name__ == "__main__":
    try:
        ensure_compiled()
    except CompileError as exc:
        sys.exit(str(exc))
