"""The term end to end with real Unix users on one machine (issue 15).

An instructor and three students get their own accounts and home folders
(useradd, as root; removed afterwards). The instructor publishes a tiny
two-exercise Elixir assignment to an exchange; two students fetch it with
`nbgrader fetch_assignment`, edit and `nbgrader submit` it (A on time and
twice, B late, C never); a student tries to read another's submission and
must fail; the instructor collects, autogrades and exports the registrar CSV,
whose numbers follow the late-work policy (10% of earned points per started
day late).
"""

from __future__ import annotations

import csv
import datetime as dt
import grp
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "term"
ASSIGNMENT = "kata-999-term-tiny"
COURSE_ID = "elixir-day-two"
VENV_BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("runuser"),
    reason="needs root with useradd and runuser to create the class's Unix users")


def class_venv(base: Path) -> Path:
    """A venv every class member can run, sharing the course's packages.

    The course venv's interpreter may live under /root (pyenv), which other
    users cannot enter; on a class server the venv sits in /opt. This one
    uses Debian's python3 and adds the course venv's site-packages (with its
    .pth files, so the editable `course` package is found), plus the
    executables and the `elixir` kernelspec pointing at its interpreter.
    """
    venv = base / "venv"
    sh("/usr/bin/python3", "-m", "venv", "--without-pip", venv)
    site = next(venv.glob("lib/python3*/site-packages"))
    course_site = next(VENV_BIN.parent.glob("lib/python3*/site-packages"))
    (site / "course_venv.pth").write_text(f"import site; site.addsitedir({str(course_site)!r})\n")
    for name in ("nbgrader", "alembic", "course", "jupyter"):
        lines = (VENV_BIN / name).read_text().splitlines()
        (venv / "bin" / name).write_text("\n".join([f"#!{venv / 'bin' / 'python'}", *lines[1:]]) + "\n")
        os.chmod(venv / "bin" / name, 0o755)
    spec = json.loads((VENV_BIN.parent / "share/jupyter/kernels/elixir/kernel.json").read_text())
    spec["argv"][0] = str(venv / "bin" / "python")
    (venv / "share/jupyter/kernels/elixir").mkdir(parents=True)
    (venv / "share/jupyter/kernels/elixir/kernel.json").write_text(json.dumps(spec))
    sh("chmod", "-R", "a+rX", venv)
    return venv / "bin"


def sh(*args, check=True, **kw):
    return subprocess.run(list(map(str, args)), capture_output=True, text=True, check=check, **kw)


BIN = VENV_BIN  # set per test to the class venv


def as_user(user: str, args: list, cwd: Path, extra_env: dict | None = None, check=True):
    home = pwd.getpwnam(user).pw_dir
    env = [f"HOME={home}", f"USER={user}", f"PATH={BIN}:/usr/bin:/bin", "LANG=C.UTF-8",
           *(f"{k}={v}" for k, v in (extra_env or {}).items())]
    done = subprocess.run(["runuser", "-u", user, "--", "env", "-i", *env, *map(str, args)],
                          cwd=cwd, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} as {user} failed ({done.returncode}):\n"
                             f"{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture
def users():
    tag = "tm" + secrets.token_hex(3)
    names = {role: f"{tag}{role}" for role in ("i", "a", "b", "c")}
    made = []
    try:
        for name in names.values():
            sh("useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name)
            made.append(name)
        yield names
    finally:
        for name in made:
            sh("pkill", "-KILL", "-u", name, check=False)  # this test's own users only
            sh("userdel", "--remove", name, check=False)
        for name in made:
            try:
                grp.getgrnam(name)
                sh("groupdel", name, check=False)
            except KeyError:
                pass


def student_config(exchange: Path) -> str:
    return (f'c.CourseDirectory.course_id = "{COURSE_ID}"\n'
            f'c.Exchange.root = "{exchange}"\n'
            "c.Exchange.path_includes_course = True\n"
            'c.ExchangeFactory.submit = "course.term.private_submit.PrivateExchangeSubmit"\n')


def answer(path: Path, owner: str, ex1: bool, ex2: bool) -> None:
    """The student's edits (made by root, handed back to the student)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "ex1-solution" and ex1:
            cell.source = "defmodule Tiny1 do\n  def double(x), do: x + x\nend"
        if gid == "ex2-solution" and ex2:
            cell.source = 'defmodule Tiny2 do\n  def greet(name), do: "hello #{name}"\nend'
    nbformat.write(nb, path)
    shutil.chown(path, owner, owner)


def test_release_fetch_submit_collect_grade_as_separate_users(users):
    instructor, a, b, c = users["i"], users["a"], users["b"], users["c"]
    base = Path(tempfile.mkdtemp(prefix="term-e2e-"))
    try:
        os.chmod(base, 0o755)
        global BIN
        BIN = class_venv(base)
        exchange = base / "exchange"
        exchange.mkdir()
        shutil.chown(exchange, instructor, instructor)
        root = Path(pwd.getpwnam(instructor).pw_dir) / "course"
        (root / "lessons").mkdir(parents=True)
        (root / "source" / ASSIGNMENT).mkdir(parents=True)
        shutil.copy(FIXTURES / f"{ASSIGNMENT}.md", root / "lessons")
        shutil.copy(FIXTURES / f"{ASSIGNMENT}.ipynb", root / "source" / ASSIGNMENT)
        shutil.copy(REPO / "nbgrader_config.py", root)
        (root / "schedule.yml").write_text(f"timezone: UTC\nassignments:\n  {ASSIGNMENT}: 2099-01-01 23:59\n")
        (root / "students.csv").write_text(
            "id,first name,last name,email\n"
            f"{a},Ada,Lovelace,ada@example.org\n"
            f"{b},Bob,Barker,bob@example.org\n"
            f",No,Id,noid@example.org\n"
            f"{c},Cy,Young,cy@example.org\n"
            f"{a},Ada,Again,ada2@example.org\n")
        sh("chown", "-R", f"{instructor}:{instructor}", root)
        env = {"COURSE_EXCHANGE": exchange}
        course = lambda *args, check=True: as_user(instructor, [BIN / "course", *args, "--root", root], root,
                                                   env, check)

        # the instructor: release/, roster, publish
        as_user(instructor, [BIN / "nbgrader", "generate_assignment", ASSIGNMENT, "--force"], root, env)
        imported = course("roster", "import", root / "students.csv", check=False)
        assert imported.returncode == 1, imported.stdout + imported.stderr
        assert "line 4" in imported.stdout and "line 6" in imported.stdout and "Imported 3 student(s)" in imported.stdout
        course("publish", ASSIGNMENT, "--schedule", root / "schedule.yml")
        assert (exchange / COURSE_ID / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()

        # the students: fetch, edit, submit (A twice, on time)
        for student in (a, b):
            home = Path(pwd.getpwnam(student).pw_dir)
            (home / ".jupyter").mkdir(exist_ok=True)
            (home / ".jupyter" / "nbgrader_config.py").write_text(student_config(exchange))
            sh("chown", "-R", f"{student}:{student}", home / ".jupyter")
            as_user(student, [BIN / "nbgrader", "fetch_assignment", ASSIGNMENT], home)
        nb_of = lambda s: Path(pwd.getpwnam(s).pw_dir) / COURSE_ID / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        home_of = lambda s: Path(pwd.getpwnam(s).pw_dir)
        answer(nb_of(a), a, ex1=True, ex2=False)
        as_user(a, [BIN / "nbgrader", "submit", ASSIGNMENT], home_of(a))
        answer(nb_of(a), a, ex1=True, ex2=True)
        as_user(a, [BIN / "nbgrader", "submit", ASSIGNMENT], home_of(a))

        # the due date passes (the schedule file is the one place it is set)
        due = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(seconds=1)
        (root / "schedule.yml").write_text(
            f"timezone: UTC\nassignments:\n  {ASSIGNMENT}: '{due.isoformat()}'\n")
        course("schedule", "--schedule", root / "schedule.yml")
        while dt.datetime.now(dt.timezone.utc) <= due + dt.timedelta(seconds=1):
            pass
        answer(nb_of(b), b, ex1=True, ex2=False)
        as_user(b, [BIN / "nbgrader", "submit", ASSIGNMENT], home_of(b))

        # privacy: B cannot list inbound nor read A's submission, even knowing its name
        inbound = exchange / COURSE_ID / "inbound"
        theirs = sorted(p for p in inbound.iterdir() if p.name.startswith(f"{a}+"))
        assert len(theirs) == 2
        assert as_user(b, ["ls", inbound], base, check=False).returncode != 0
        assert as_user(b, ["ls", theirs[-1]], base, check=False).returncode != 0
        peek = as_user(b, ["cat", theirs[-1] / f"{ASSIGNMENT}.ipynb"], base, check=False)
        assert peek.returncode != 0 and "Tiny" not in peek.stdout
        assert as_user(b, ["rm", "-rf", theirs[-1]], base, check=False).returncode != 0 or theirs[-1].exists()
        assert theirs[-1].exists()

        # the instructor: collect (latest wins), autograde, grades out
        collected = course("collect", ASSIGNMENT)
        assert "2 submission(s)" in collected.stdout, collected.stdout
        latest = nbformat.read(root / "submitted" / a / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
        assert any("hello #{name}" in cell.source for cell in latest.cells)
        graded = course("autograde", ASSIGNMENT, "--jobs", "2", check=False)
        assert graded.returncode == 0, graded.stdout + graded.stderr
        course("grades", "--output", root / "grades.csv")
        rows = {r["student_id"]: r for r in csv.DictReader((root / "grades.csv").open())}
        assert set(rows) == {a, b, c}
        assert rows[a][ASSIGNMENT] == "4" and rows[a]["late_penalty"] == "0"
        assert rows[b][ASSIGNMENT] == "1.8" and rows[b]["late_penalty"] == "0.2"  # 2 earned, 1 day late: -10%
        assert rows[c][ASSIGNMENT] == "0" and rows[c]["total"] == "0"
        assert rows[a]["max_total"] == "4" and rows[b]["percent"] == "45"
        assert rows[a]["last_name"] == "Lovelace" and rows[a]["email"] == "ada@example.org"
    finally:
        shutil.rmtree(base, ignore_errors=True)
