"""Compile Elixir sources to an ebin directory once, cached by a hash of the sources.

The kernel's BEAM side and the course's preloaded helpers are compiled at set-up
(or on first use), never at every kernel start: starting a kernel only checks
the stamp file.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

STAMP = ".source-hash"


class CompileError(RuntimeError):
    """The Elixir compiler rejected the sources (message holds its output)."""


def source_hash(sources: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(sources):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_fresh(src_dir: Path, ebin_dir: Path) -> bool:
    stamp = ebin_dir / STAMP
    sources = sorted(src_dir.glob("*.ex"))
    return stamp.exists() and stamp.read_text() == source_hash(sources)


def compile_dir(src_dir: Path, ebin_dir: Path, extra_paths: list[Path] = ()) -> bool:
    """Compile every ``*.ex`` in ``src_dir`` into ``ebin_dir``; return True if it compiled.

    Does nothing when the stamp matches the sources' hash.
    """
    src_dir, ebin_dir = Path(src_dir), Path(ebin_dir)
    sources = sorted(src_dir.glob("*.ex"))
    wanted = source_hash(sources)
    if (ebin_dir / STAMP).exists() and (ebin_dir / STAMP).read_text() == wanted:
        return False
    elixirc = shutil.which("elixirc")
    if elixirc is None:
        raise CompileError("elixirc not found: install Elixir (Debian: apt-get install elixir)")
    tmp = ebin_dir.with_name(ebin_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    cmd = [elixirc, "--ignore-module-conflict", "-o", str(tmp)]
    for path in extra_paths:
        cmd += ["-pa", str(path)]
    proc = subprocess.run(cmd + [str(s) for s in sources], capture_output=True, text=True)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise CompileError(f"compiling {src_dir} failed:\n{proc.stdout}{proc.stderr}")
    (tmp / STAMP).write_text(wanted)
    shutil.rmtree(ebin_dir, ignore_errors=True)
    tmp.rename(ebin_dir)
    return True


BEAM_SOURCES = Path(__file__).parent / "beam" / "lib"
BEAM_EBIN = Path(__file__).parent / "beam" / "ebin"


def ensure_runtime_compiled() -> Path:
    """The kernel's own BEAM side, compiled if its sources changed."""
    compile_dir(BEAM_SOURCES, BEAM_EBIN)
    return BEAM_EBIN
