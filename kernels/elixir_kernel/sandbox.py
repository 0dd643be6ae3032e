"""Operating-system isolation of the BEAM in grading runs.

Grading runs a student's code on the instructor's machine. Inside the VM,
`ElixirKernel.Protection` keeps the grading helper and ExUnit intact; this
module is the outer wall: the BEAM child (never the Python kernel, which must
keep talking to nbgrader) is started inside a bubblewrap sandbox that

* sees a file system made of read-only system directories (/usr and the few
  /etc files a dynamic linker and Erlang need) plus the BEAM code directories
  it loads (the kernel's ebin and the course's ebin dirs), and nothing else:
  no source notebooks, no other submissions, no gradebook, no home directory;
* works in a throwaway tmpfs (`/tmp`, size-capped), which is its cwd and HOME;
* has no network (a fresh network namespace with only loopback), its own pid,
  IPC and UTS namespaces, no capabilities, and a minimal environment;
* runs as an unprivileged uid of its own (when the kernel runs as root), so a
  per-uid process cap (RLIMIT_NPROC) stops fork bombs run through
  `System.cmd`/ports without touching anything else on the machine;
* dies with the kernel (`--die-with-parent`).

File descriptors 3 and 4 (the framed channel) are inherited through
`setpriv` and `bwrap` untouched.

Mode (env ``ELIXIR_KERNEL_SANDBOX``): ``auto`` (default: on in grading runs,
i.e. when nbgrader sets NBGRADER_EXECUTION), ``on`` (always), ``off``
(never), ``require`` (grading refuses to start the BEAM without bubblewrap).
When bubblewrap cannot run here, grading falls back to what works: an
unprivileged uid, a fresh network namespace (`unshare --net`) and a private
working directory; the kernel logs which wall is in place.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# /etc files the dynamic linker, Erlang's inet and locale code may read.
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/passwd", "/etc/group",
             "/etc/nsswitch.conf", "/etc/localtime", "/etc/hosts", "/etc/alternatives")
TMPFS_BYTES = 64 * 1024 * 1024
SANDBOX_HOME = "/tmp/home"
KEPT_ENV_PREFIXES = ("ELIXIR_KERNEL_", "ERL_CRASH_DUMP")


@dataclass
class Launch:
    """How to start the BEAM: argv prefix, environment, cwd, and what isolation it gets."""

    prefix: list[str] = field(default_factory=list)
    env: dict[str, str] | None = None
    cwd: str | None = None
    uid: int | None = None
    walls: tuple[str, ...] = ()
    cleanup: str | None = None  # a host temp dir to remove after the BEAM exits


def mode() -> str:
    value = os.environ.get("ELIXIR_KERNEL_SANDBOX", "auto").strip().lower()
    return {"1": "on", "true": "on", "yes": "on", "0": "off", "false": "off", "no": "off"}.get(value, value)


def wanted(grading: bool) -> bool:
    current = mode()
    return current in ("on", "require") or (current == "auto" and grading)


def sandbox_uid() -> int | None:
    """A uid of this kernel's own (root only): nobody else's processes count against its NPROC cap."""
    if os.geteuid() != 0:
        return None
    return 200_000 + os.getpid() % 100_000


def minimal_env(env: dict[str, str]) -> dict[str, str]:
    kept = {k: v for k, v in env.items() if k.startswith(KEPT_ENV_PREFIXES)}
    return {**kept, "PATH": "/usr/bin:/bin", "HOME": SANDBOX_HOME, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "TMPDIR": "/tmp"}


def bwrap_prefix(read_only: list[str], uid: int | None) -> list[str]:
    bwrap = shutil.which("bwrap") or "/usr/bin/bwrap"
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = os.readlink(f"/{link}") if os.path.islink(f"/{link}") else None
        if target:
            args += ["--symlink", target, f"/{link}"]
        elif os.path.isdir(f"/{link}"):
            args += ["--ro-bind", f"/{link}", f"/{link}"]
    for path in ETC_FILES:
        args += ["--ro-bind-try", path, path]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp",
             "--dir", SANDBOX_HOME, "--chdir", SANDBOX_HOME]
    for source, dest in _outside_usr(read_only):
        args += ["--ro-bind", source, dest]
    return _drop_to(uid) + args


def fallback_prefix(uid: int | None) -> tuple[list[str], tuple[str, ...]]:
    prefix, walls = [], ["private working directory"]
    if _works(["unshare", "--net", "true"]):
        prefix += [shutil.which("unshare") or "unshare", "--net", "--"]
        walls.append("no network (unshare --net)")
    if uid is not None:
        prefix += _drop_to(uid)
        walls.append(f"unprivileged uid {uid}")
    return prefix, tuple(walls)


def launch(grading: bool, read_only: list[str], env: dict[str, str]) -> Launch:
    """The Launch for the BEAM child: plain outside grading, sandboxed in it."""
    if not wanted(grading):
        return Launch(env=env)
    uid = sandbox_uid()
    problem = bwrap_problem()
    if problem is None:
        return Launch(prefix=bwrap_prefix(read_only, uid), env=minimal_env(env), cwd="/", uid=uid,
                      walls=("bubblewrap: read-only system dirs and code dirs only", "tmpfs cwd",
                             "no network", "own pid/ipc/uts namespaces", "no capabilities",
                             *((f"unprivileged uid {uid}",) if uid is not None else ())))
    if mode() == "require":
        raise RuntimeError(f"the grading sandbox (bubblewrap) cannot run here: {problem}")
    prefix, walls = fallback_prefix(uid)
    work = tempfile.mkdtemp(prefix="elixir-grading-")
    if uid is not None:
        os.chown(work, uid, uid)
    os.chmod(work, 0o700)
    log.warning("grading sandbox: bubblewrap unavailable (%s); falling back to: %s", problem, ", ".join(walls))
    return Launch(prefix=prefix, env={**minimal_env(env), "HOME": work, "TMPDIR": work}, cwd=work, uid=uid,
                  walls=walls, cleanup=work)


@functools.lru_cache(maxsize=1)
def bwrap_problem() -> str | None:
    """None if bubblewrap can start a sandbox here (as the uid we would use), else why not."""
    if not shutil.which("bwrap"):
        return "bwrap is not installed (Debian: apt-get install bubblewrap)"
    probe = bwrap_prefix([], sandbox_uid()) + ["/bin/sh", "-c", "exit 0"]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=20, cwd="/")
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    if done.returncode != 0:
        return (done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}")[:300]
    return None


def _drop_to(uid: int | None) -> list[str]:
    if uid is None:
        return []
    setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
    return [setpriv, "--reuid", str(uid), "--regid", str(uid), "--clear-groups", "--inh-caps=-all", "--"]


def _outside_usr(paths: list[str]) -> list[tuple[str, str]]:
    """(real source, path as the BEAM names it) of each code directory to bind besides /usr."""
    seen: dict[str, str] = {}
    for path in paths:
        dest = os.path.abspath(path)
        real = os.path.realpath(path)
        if not os.path.isdir(real) or dest.startswith("/usr/") or dest in seen:
            continue
        seen[dest] = real
    return [(real, dest) for dest, real in seen.items()]


def _works(argv: list[str]) -> bool:
    try:
        return subprocess.run(argv, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def remove(path: str | None) -> None:
    if path:
        shutil.rmtree(path, ignore_errors=True)


def describe() -> str:
    """One line for logs and docs: which wall a grading run here gets."""
    problem = bwrap_problem()
    return "bubblewrap sandbox" if problem is None else f"fallback ({problem})"

