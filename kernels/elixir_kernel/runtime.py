"""The BEAM child process and the framed channel to it.

The BEAM runs in its own session (so SIGINT sent to the kernel's process group
never reaches it) with two extra pipes as file descriptors 3 (requests in) and
4 (messages out), framed with a 4-byte length like `{:packet, 4}`. Its own
stdout and stderr only go to the kernel's log: nothing the BEAM writes there
can reach a notebook. A reader thread turns frames into a queue of decoded
messages and, when the pipe closes, an ``("exited", status)`` message.
"""

from __future__ import annotations

import fcntl
import logging
import os
import queue
import resource
import shutil
import struct
import subprocess
import threading
from pathlib import Path

from . import sandbox, terms
from .build import ensure_runtime_compiled

log = logging.getLogger(__name__)


class RuntimeNotFound(RuntimeError):
    """Erlang/Elixir is not installed where the kernel can find it."""


def elixir_lib_dirs() -> list[Path]:
    """The ebin directories of Elixir's own applications (elixir, logger, ex_unit, mix, eex, iex)."""
    elixir = shutil.which("elixir")
    if elixir is None:
        raise RuntimeNotFound("Elixir is not installed (Debian: apt-get install elixir)")
    lib = Path(os.path.realpath(elixir)).parent.parent / "lib"
    return sorted(lib.glob("*/ebin"))


def memory_limit_bytes() -> int:
    """The BEAM's address-space cap: ELIXIR_KERNEL_MEMORY_LIMIT_MB, else half the machine's memory."""
    configured = os.environ.get("ELIXIR_KERNEL_MEMORY_LIMIT_MB")
    if configured:
        return int(configured) * 1024 * 1024
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(physical // 2, 4 * 1024**3)


def grading_flags() -> list[str]:
    """Emulator caps for grading runs: a process bomb hits `+P` (spawn raises
    system_limit), atom exhaustion hits `+t` (the VM dies, the kernel restarts
    it and the cell errors) long before either can hurt the machine."""
    processes = os.environ.get("ELIXIR_KERNEL_MAX_PROCESSES", "65536")
    atoms = os.environ.get("ELIXIR_KERNEL_MAX_ATOMS", "262144")
    return ["+P", processes, "+t", atoms]


def os_process_limit() -> int:
    """RLIMIT_NPROC of the sandbox's own uid: OS processes and threads (the BEAM uses ~30)."""
    return int(os.environ.get("ELIXIR_KERNEL_MAX_OS_PROCESSES", "256"))


class BeamRuntime:
    """One BEAM process evaluating Elixir for one kernel."""

    def __init__(self, code_paths: list[str], env: dict[str, str]):
        self.code_paths = code_paths
        self.env = env
        self.messages: queue.Queue = queue.Queue()
        self.proc: subprocess.Popen | None = None
        self.sandbox: sandbox.Launch | None = None
        self._to_beam = None

    def start(self) -> None:
        erl = shutil.which("erl")
        if erl is None:
            raise RuntimeNotFound("Erlang is not installed (Debian: apt-get install elixir)")
        ebin = ensure_runtime_compiled()
        paths = [*map(str, elixir_lib_dirs()), str(ebin), *self.code_paths]
        grading = self.env.get("ELIXIR_KERNEL_GRADING") == "1"
        cmd = [erl, "-noshell", "-noinput", "+Bi", "+sbwt", "none", "+sbwtdcpu", "none",
               "+sbwtdio", "none", "-boot", "no_dot_erlang"]
        if grading:
            cmd += grading_flags()
        for path in paths:
            cmd += ["-pa", path]
        cmd += ["-s", "Elixir.ElixirKernel.Main", "start"]

        in_read, in_write = os.pipe()  # kernel -> BEAM (fd 3)
        out_read, out_write = os.pipe()  # BEAM -> kernel (fd 4)
        # Move the child's ends above 4 so the dup2 calls below can't clobber them.
        in_read, out_write = (_above(fd, 10) for fd in (in_read, out_write))

        memory_limit = memory_limit_bytes()
        env = {**os.environ, **self.env, "ERL_CRASH_DUMP_SECONDS": "0"}
        # In grading runs the BEAM (not this kernel) starts inside the OS sandbox.
        launch = sandbox.launch(grading, paths, env)
        self.sandbox = launch
        nproc = os_process_limit() if launch.uid is not None else None
        if launch.walls:
            log.info("grading sandbox: %s", ", ".join(launch.walls))

        def child_setup():
            os.dup2(in_read, 3)
            os.dup2(out_write, 4)
            # Past this the BEAM cannot allocate and exits; the kernel survives it.
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
            if nproc is not None:  # counted for the sandbox's own uid only
                resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))

        self.proc = subprocess.Popen(
            launch.prefix + cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(3, 4, in_read, out_write),
            preexec_fn=child_setup,
            start_new_session=True,
            env=launch.env,
            cwd=launch.cwd,
        )
        os.close(in_read)
        os.close(out_write)
        self._to_beam = os.fdopen(in_write, "wb", buffering=0)
        self.messages = queue.Queue()
        proc, messages = self.proc, self.messages
        threading.Thread(target=self._read_frames, args=(out_read, proc, messages), daemon=True).start()
        threading.Thread(target=self._drain_console, args=(proc,), daemon=True).start()

    @staticmethod
    def _read_frames(fd: int, proc: subprocess.Popen, messages: queue.Queue) -> None:
        with os.fdopen(fd, "rb", buffering=0) as pipe:
            while True:
                header = _read_exactly(pipe, 4)
                if header is None:
                    break
                (size,) = struct.unpack(">I", header)
                payload = _read_exactly(pipe, size)
                if payload is None:
                    break
                try:
                    messages.put(terms.decode(payload))
                except Exception:  # a corrupt frame must not kill the reader
                    log.exception("undecodable frame from the BEAM")
        messages.put(("exited", proc.wait()))

    @staticmethod
    def _drain_console(proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            log.info("beam: %s", line.decode("utf-8", "replace").rstrip())

    def send(self, message) -> bool:
        """Sends one request; False if the BEAM is gone."""
        data = terms.encode(message)
        try:
            self._to_beam.write(struct.pack(">I", len(data)) + data)
            return True
        except (BrokenPipeError, OSError, AttributeError):
            return False

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            self.send((terms.atom("shutdown"),))
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        finally:
            if self._to_beam:
                try:
                    self._to_beam.close()
                except OSError:
                    pass
            if self.sandbox:
                sandbox.remove(self.sandbox.cleanup)


def _above(fd: int, minimum: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, minimum)
    os.close(fd)
    return moved


def _read_exactly(pipe, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = pipe.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def start_runtime() -> tuple[BeamRuntime, str | None]:
    """Starts a BEAM for this kernel; returns it and an error sentence if it could not start."""
    code_paths = [p for p in os.environ.get("ELIXIR_KERNEL_CODE_PATH", "").split(":") if p]
    nbgrader_run = os.environ.get("NBGRADER_EXECUTION", "")  # "autograde", "validate" or unset
    runtime = BeamRuntime(code_paths, {"ELIXIR_KERNEL_GRADING": "1" if nbgrader_run else "0",
                                       "ELIXIR_KERNEL_AUTOGRADE": "1" if nbgrader_run == "autograde" else "0"})
    try:
        runtime.start()
        return runtime, None
    except (RuntimeNotFound, OSError, RuntimeError) as exc:
        return runtime, f"the Elixir runtime could not start: {exc}"
