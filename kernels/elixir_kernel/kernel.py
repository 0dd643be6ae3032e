"""The Jupyter side of the Elixir kernel: an ipykernel ``Kernel`` subclass.

Synchronous and linear, like bash_kernel: each request is sent to the BEAM
(see :mod:`elixir_kernel.runtime`) and answered from the messages it sends
back. This module owns the Jupyter-facing policies: which parent a late
output belongs to, how an interrupt is delivered (SIGINT in the kernel process
becomes an ``interrupt`` request; the BEAM lives in its own session), and what
happens when the BEAM dies (the cell gets an error, a fresh BEAM starts).
"""

from __future__ import annotations

import getpass
import os
import queue
import re
import threading
import time
from pathlib import Path

from ipykernel.kernelbase import Kernel
from ipykernel import kernel_protocol_version

from . import __version__, renderers, terms
from .runtime import BeamRuntime, RuntimeNotFound, elixir_lib_dirs, start_runtime

READY_TIMEOUT = 60.0
INTERRUPT_GRACE = 3.0
REQUEST_TIMEOUT = 10.0
EXIT_GRACE = 0.5  # seconds a shut-down kernel may take to exit on its own

RUNTIME_EXITED = (
    "the Elixir runtime exited{status}; state was lost (variables, modules and "
    "processes of earlier cells). The next cell runs on a fresh runtime."
)


def _elixir_version() -> str:
    try:
        app = next(d for d in elixir_lib_dirs() if d.parent.name == "elixir") / "elixir.app"
        match = re.search(r'\{vsn,\s*"([^"]+)"\}', app.read_text())
        return match.group(1) if match else ""
    except (StopIteration, OSError, RuntimeNotFound):
        return ""


class ElixirKernel(Kernel):
    implementation = "elixir_kernel"
    implementation_version = __version__
    language = "elixir"
    language_version = _elixir_version()
    language_info = {
        "name": "elixir",
        "version": language_version,
        "mimetype": "text/x-elixir",
        "file_extension": ".ex",
        "pygments_lexer": "elixir",
        "codemirror_mode": "elixir",
    }
    banner = f"Elixir {language_version} — Jupyter kernel {__version__}"
    help_links = [{"text": "Elixir documentation", "url": "https://hexdocs.pm/elixir/"}]

    @property
    def kernel_info(self):
        # ipykernel's version imports debugpy (~60 ms) to advertise a Python
        # debugger this kernel doesn't have; the first reply shouldn't wait for it.
        return {
            "protocol_version": kernel_protocol_version,
            "implementation": self.implementation,
            "implementation_version": self.implementation_version,
            "language_info": self.language_info,
            "banner": self.banner,
            "help_links": self.help_links,
            "supported_features": [],
        }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.grading = bool(os.environ.get("NBGRADER_EXECUTION"))
        self._refs = 0
        self._parents: dict[int, dict] = {}
        self._ready = False
        self._start_error: str | None = None
        self._start_runtime()

    # -- runtime lifecycle -------------------------------------------------

    def _start_runtime(self) -> None:
        global _early_start
        self._ready = False
        self.runtime, self._start_error = _early_start or start_runtime()
        _early_start = None

    def _restart_runtime(self) -> None:
        self.runtime.stop()
        self._start_runtime()

    def _await_ready(self) -> str | None:
        """Waits for the BEAM's ready message; returns an error sentence if it never comes."""
        if self._start_error:
            return self._start_error
        deadline = time.monotonic() + READY_TIMEOUT
        while not self._ready:
            try:
                message = self.runtime.messages.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return "the Elixir runtime did not start within a minute"
            if message[0] == "exited":
                error = RUNTIME_EXITED.format(status=f" (status {message[1]})") + " It exited while starting."
                self._start_runtime()
                return error
            self._dispatch_background(message)
        return None

    def _new_ref(self) -> int:
        self._refs += 1
        return self._refs

    # -- execution ---------------------------------------------------------

    async def do_execute(self, code, silent, store_history=True, user_expressions=None,
                         allow_stdin=False, **_kwargs):
        self._allow_stdin = bool(allow_stdin)
        if not code.strip():
            return self._ok()
        error = self._await_ready()
        if error:
            return self._error("RuntimeUnavailable", error, [error], silent)
        ref = self._new_ref()
        self._parents[ref] = self.get_parent()
        options = {"cell": self.execution_count, "allow_stdin": bool(allow_stdin), "silent": bool(silent)}
        if not self.runtime.send((terms.atom("execute"), ref, code, options)):
            return self._runtime_exited(None, silent)
        return self._await_result(ref, silent)

    def _await_result(self, ref: int, silent: bool) -> dict:
        interrupted_at = None
        while True:
            try:
                try:
                    message = self.runtime.messages.get(timeout=0.1)
                except queue.Empty:
                    if interrupted_at and time.monotonic() - interrupted_at > INTERRUPT_GRACE:
                        self._restart_runtime()
                        evalue = "the Elixir runtime did not respond to the interrupt and was restarted; state was lost"
                        return self._error("Interrupted", evalue, [evalue], silent)
                    continue
                kind = message[0]
                if kind == "result" and message[1] == ref:
                    return self._finish(message[2], message[3], silent)
                if kind == "exited":
                    return self._runtime_exited(message[1], silent)
                if kind == "input_request" and message[1] == ref:
                    self._answer_input(ref, message[2], message[3])
                    continue
                self._dispatch_background(message, current=ref, silent=silent)
            except KeyboardInterrupt:
                if interrupted_at is None:
                    interrupted_at = time.monotonic()
                    self.runtime.send((terms.atom("interrupt"), ref))

    def _finish(self, result, metadata, silent: bool) -> dict:
        if result[0] == "ok":
            bundle = result[1]
            if not silent and bundle is not None:
                content = {
                    "execution_count": self.execution_count,
                    "data": renderers.render(bundle["data"]),
                    "metadata": {**bundle.get("metadata", {}), **(metadata or {})},
                }
                self.send_response(self.iopub_socket, "execute_result", content)
            return self._ok()
        _, ename, evalue, traceback = result
        return self._error(ename, evalue, traceback, silent)

    def _runtime_exited(self, status, silent: bool) -> dict:
        evalue = RUNTIME_EXITED.format(status=f" (status {status})" if status is not None else "")
        self._restart_runtime()
        return self._error("RuntimeExited", evalue, [f"\x1b[0;31mRuntimeExited\x1b[0m: {evalue}"], silent)

    def _answer_input(self, ref: int, prompt: str, password: bool) -> None:
        try:
            text = self.getpass(prompt) if password else self.raw_input(prompt)
            reply = text
        except Exception:  # StdinNotImplementedError, or the frontend went away
            reply = terms.atom("eof")
        self.runtime.send((terms.atom("input_reply"), ref, reply))

    def _dispatch_background(self, message, current: int | None = None, silent: bool = False) -> None:
        """Output that is not the awaited result: streams, displays, late output of earlier cells."""
        kind = message[0]
        if kind == "ready":
            self._ready = True
        elif kind == "stream":
            _, ref, name, text = message
            if not (silent and ref == current):
                self._publish(ref, "stream", {"name": name, "text": text})
        elif kind == "display":
            _, ref, bundle = message
            if not (silent and ref == current):
                content = {"data": renderers.render(bundle["data"]), "metadata": bundle.get("metadata", {}),
                           "transient": {}}
                self._publish(ref, "display_data", content)
        elif kind == "input_request":
            self.runtime.send((terms.atom("input_reply"), message[1], terms.atom("eof")))
        elif kind == "log":
            self.log.warning("elixir runtime: %s", message[1])

    def _publish(self, ref: int, msg_type: str, content: dict) -> None:
        parent = self._parents.get(ref) or self.get_parent()
        self.session.send(self.iopub_socket, msg_type, content, parent=parent, ident=self._topic(msg_type))

    def _ok(self) -> dict:
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}

    def _error(self, ename: str, evalue: str, traceback: list[str], silent: bool) -> dict:
        content = {"ename": ename, "evalue": evalue, "traceback": traceback}
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": self.execution_count, **content}

    # -- editor support: answered by parsing on the BEAM, never evaluating ---

    def _request(self, message_tag: str, *args, timeout: float = REQUEST_TIMEOUT):
        if self._await_ready():
            return None
        ref = self._new_ref()
        if not self.runtime.send((terms.atom(message_tag), ref, *args)):
            return None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.runtime.messages.get(timeout=0.1)
            except queue.Empty:
                continue
            if message[0] == "reply" and message[1] == ref:
                return message[2]
            if message[0] == "exited":
                self._start_runtime()
                return None
            self._dispatch_background(message)
        return None

    def do_complete(self, code, cursor_pos):
        reply = self._request("complete", code[:cursor_pos])
        matches, replace = reply if reply else ([], 0)
        return {"status": "ok", "matches": list(matches), "cursor_start": cursor_pos - replace,
                "cursor_end": cursor_pos, "metadata": {}}

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        before = code[:cursor_pos]
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        markdown = self._request("inspect", code, line, column)
        if not markdown:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        return {"status": "ok", "found": True, "metadata": {},
                "data": {"text/markdown": markdown, "text/plain": markdown}}

    def do_is_complete(self, code):
        status = self._request("is_complete", code) or "unknown"
        reply = {"status": status}
        if status == "incomplete":
            reply["indent"] = "  "
        return reply

    def do_shutdown(self, restart):
        self.runtime.stop()
        if restart:
            self._start_runtime()
        else:
            # ipykernel 7 can deadlock while closing after a shutdown request (the
            # control thread's last IOPub send blocks); nothing is left to clean
            # up once the reply is out, so never outlive it by more than a moment.
            threading.Timer(EXIT_GRACE, os._exit, (0,)).start()
        return {"status": "ok", "restart": restart}


# Set by launch(): the first BEAM, started before ipykernel was imported.
_early_start: tuple[BeamRuntime, str | None] | None = None


def launch(early: tuple[BeamRuntime, str | None] | None = None) -> None:
    """Runs the kernel; `early` is a BEAM already booting (see ``__main__``)."""
    global _early_start
    _early_start = early
    from ipykernel.kernelapp import IPKernelApp

    # The kernel's own stdout/stderr are logs, never notebook output: a stray
    # write there must not become a stderr stream (which zeroes a graded cell).
    IPKernelApp.launch_instance(kernel_class=ElixirKernel, capture_fd_output=False, outstream_class=None)
