"""Browser tests: a real JupyterLab from .venv, driven by Debian's Chromium through Playwright.

One JupyterLab server and one headless Chromium serve the whole browser test
session (every browser test is in the xdist group "browser", so they all run
on one worker, one after the other). The server listens on 127.0.0.1 on a free
port with a random token; its HOME, Jupyter config, runtime, settings and
workspace folders are temporary; its root folder is a scratch copy of the
course (nbgrader config, the pilot lesson's source and release), so nbgrader's
server extensions (validate, formgrader) grade there, never in the repository.
The slow command-line work (autograde, feedback, report, `nbgrader validate`)
that the selected tests need starts with the server, in background threads,
and runs while the student tests use the browser.
Each test gets a fresh browser context; kernels a test started are shut down
after it. On failure the page is saved as a PNG in a temporary folder whose
path is printed in the failure report.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser_course import VENV_BIN, grade_course, make_course, validate_stub_and_solved, venv_env

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the browser fixture says what to do; other tests still run
    expect = sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
# The launch flags known to work on these machines (closed network, root, no GPU).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
SERVER_START_TIMEOUT = 120  # seconds
SCREENSHOTS = pytest.StashKey[Path]()

if expect is not None:
    expect.set_options(timeout=60_000)  # ms, for every assertion on a page: slow shared machines


@pytest.fixture(scope="session")
def course_root(tmp_path_factory) -> Path:
    """A scratch course (nbgrader config with a private exchange, the pilot lesson's source and release)."""
    root = tmp_path_factory.mktemp("course")
    exchange = tmp_path_factory.mktemp("exchange")
    make_course(root, exchange)
    return root


@pytest.fixture(scope="session")
def background():
    """Slow command-line work that runs while the browser tests run."""
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="browser-tests-background")
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def course_grading(course_root, background) -> tuple[threading.Event, Future]:
    """The instructor's work on the course, in the background (`browser_course.grade_course`)."""
    released = threading.Event()
    return released, background.submit(grade_course, course_root, released.set)


@pytest.fixture(scope="session")
def course_validations(course_root, background, tmp_path_factory) -> Future:
    """`nbgrader validate` on the command line, in the background."""
    return background.submit(validate_stub_and_solved, course_root, tmp_path_factory.mktemp("validate"))


@pytest.fixture(scope="session")
def released_course(course_root, course_grading) -> Path:
    """The course once the lesson is in the exchange, for students to fetch (grading may still run)."""
    released, graded = course_grading
    deadline = time.monotonic() + 1200
    while not released.wait(timeout=1):
        if graded.done():
            graded.result()  # raises what went wrong
        assert time.monotonic() < deadline, "the lesson was not released in time"
    return course_root


@pytest.fixture(scope="session")
def graded_course(course_grading) -> Path:
    return course_grading[1].result(timeout=1200)


@pytest.fixture(scope="session")
def cli_validations(course_validations) -> dict[str, str]:
    return course_validations.result(timeout=1200)


# Background work a browser test session will need, started with the server.
STARTED_EARLY = {"released_course": "course_grading", "graded_course": "course_grading",
                 "cli_validations": "course_validations"}


# --- the JupyterLab server ---------------------------------------------------------------------

@dataclass
class Lab:
    base: str  # http://127.0.0.1:PORT/
    token: str
    root: Path
    log: Path
    process: subprocess.Popen

    def url(self, tree: str | None = None) -> str:
        """A JupyterLab URL logged in with the token, in a new empty workspace
        (so no layout carries over from another test, and no `?reset` reload),
        optionally opening `tree` (a path under the server root)."""
        path = f"lab/workspaces/test-{secrets.token_hex(6)}" + (f"/tree/{tree}" if tree else "")
        return f"{self.base}{path}?token={self.token}"

    def api(self, method: str, path: str, timeout: float = 30):
        request = urllib.request.Request(f"{self.base}api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        for kernel in self.api("GET", "kernels"):
            try:
                self.api("DELETE", f"kernels/{kernel['id']}", timeout=60)
            except urllib.error.URLError:
                pass

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quiet_lab_settings(settings_dir: Path) -> None:
    """User settings of the test server: no news pop-up, no update check."""
    notification = settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


@pytest.fixture(scope="session")
def lab(course_root, tmp_path_factory, request):
    """JupyterLab on the scratch course."""
    needed = {name for item in request.session.items for name in item.fixturenames}
    for fixture, work in STARTED_EARLY.items():
        if fixture in needed:
            request.getfixturevalue(work)  # slow command-line work: start it now, in the background
    home = tmp_path_factory.mktemp("lab-home")
    env = venv_env(HOME=str(home),
                   JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
                   JUPYTER_DATA_DIR=str(home / "jupyter-data"),
                   JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
                   JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"))
    quiet_lab_settings(home / "lab-settings")
    token = secrets.token_hex(24)
    port = free_loopback_port()
    log = home / "jupyterlab.log"
    command = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
               f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={course_root}",
               "--LabApp.expose_app_in_browser=True"]  # lets the tests wait until the app has restored
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=course_root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}/", token, course_root, log, process)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited with {process.returncode}:\n{server.log_tail()}")
            try:
                server.api("GET", "status", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer within {SERVER_START_TIMEOUT} s:\n{server.log_tail()}")
                time.sleep(0.5)
        yield server
    finally:
        stop_server(server)


def stop_server(server: Lab) -> None:
    """Shut the kernels down through the API, then stop the server (its own process group)."""
    if server.process.poll() is None:
        try:
            server.shutdown_kernels()
        except (urllib.error.URLError, OSError):
            pass
        try:
            os.killpg(server.process.pid, signal.SIGTERM)
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)
        except ProcessLookupError:
            pass


# --- the browser -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if sync_playwright is None or not os.path.exists(CHROMIUM):
        pytest.fail(f"Playwright or {CHROMIUM} is missing: run `make setup` (it installs both)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, lab, request):
    """A fresh browser tab (own context: no cookies or storage from other tests)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
        try:
            lab.shutdown_kernels()
        except (urllib.error.URLError, OSError):
            pass


def screenshot_folder(config) -> Path:
    if SCREENSHOTS not in config.stash:
        config.stash[SCREENSHOTS] = Path(tempfile.mkdtemp(prefix="browser-screenshots-"))
    return config.stash[SCREENSHOTS]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Save what the browser showed when a browser test failed, and say where."""
    outcome = yield
    report = outcome.get_result()
    tab = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when != "call" or not report.failed or tab is None:
        return
    path = screenshot_folder(item.config) / f"{item.name}.png"
    try:
        tab.screenshot(path=str(path), full_page=True)
        note = f"screenshot saved: {path}"
    except Exception as error:  # a crashed page must not hide the test's own failure
        note = f"no screenshot ({error!r}); folder: {path.parent}"
    lab = item.funcargs.get("lab")
    if lab is not None:
        note += f"\njupyter lab log: {lab.log}"
    report.sections.append(("browser", note))
    print(f"\n[browser] {note}", file=sys.stderr)
