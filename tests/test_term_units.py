"""Unit tests of the term modules: roster, schedule, late penalty, grades, configs."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from traitlets.config.loader import PyFileConfigLoader

from course.cli import main
from course.grading.course_root import Course, CourseError
from course.term.late_penalty import PercentPerDayLate, days_late, penalty_fraction
from course.term.roster import read_roster
from course.term.schedule import load_schedule

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "kata-999-term-tiny"


@pytest.fixture
def course_dir(tmp_path):
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    (tmp_path / "lessons").mkdir()
    shutil.copy(Path(__file__).parent / "fixtures" / "term" / f"{ASSIGNMENT}.md", tmp_path / "lessons")
    return tmp_path


def test_roster_reports_bad_rows_with_line_numbers_and_keeps_good_ones(tmp_path):
    f = tmp_path / "students.csv"
    f.write_text("ID,First Name,Last Name,E-mail\nann,Ann,A,ann@x.org\n,No,Id,n@x.org\nbob,Bob,B,not-an-email\n"
                 "ann,Ann,Dup,a2@x.org\n\ncy,Cy,C,\n")
    good, bad = read_roster(f)
    assert [s.id for s in good] == ["ann", "cy"]
    assert [(b.line, b.reason.split()[1]) for b in bad] == [(3, "student"), (4, "email"), (5, "student")]
    assert "duplicate of line 2" in bad[2].reason


def test_roster_import_command_fills_the_gradebook_and_exits_1_on_bad_rows(course_dir):
    (course_dir / "s.csv").write_text("id,first name,last name,email\nann,Ann,A,ann@x.org\nbob,Bob,B,bad\n")
    result = CliRunner().invoke(main, ["roster", "import", str(course_dir / "s.csv"), "--root", str(course_dir)])
    assert result.exit_code == 1
    assert "line 3" in result.output and "Imported 1 student(s)" in result.output
    from nbgrader.api import Gradebook
    with Gradebook(Course.open(course_dir).db_url) as gb:
        assert [s.id for s in gb.students] == ["ann"] and gb.find_student("ann").email == "ann@x.org"


def test_roster_without_id_column_is_a_sentence(course_dir):
    (course_dir / "s.csv").write_text("name,email\nann,a@x.org\n")
    result = CliRunner().invoke(main, ["roster", "import", str(course_dir / "s.csv"), "--root", str(course_dir)])
    assert result.exit_code == 2 and "no id column" in result.output


def test_schedule_file_covers_every_lesson_with_future_dates():
    course = Course.open(REPO)
    plan = load_schedule(course, REPO / "course" / "schedule.yml")
    lessons = {p.stem for p in (REPO / "lessons").glob("*.md")}
    assert set(plan.due) <= lessons  # load_schedule rejects unknown ids
    assert {l for l in lessons if l.startswith("day2-")} <= set(plan.due)
    assert min(plan.due.values()) > dt.datetime(2026, 12, 1)


def test_schedule_converts_timezones_and_rejects_unknown_ids(course_dir):
    course = Course.open(course_dir)
    f = course_dir / "schedule.yml"
    f.write_text(f"timezone: Europe/Berlin\nassignments:\n  {ASSIGNMENT}: 2027-01-15 23:59\n")
    assert load_schedule(course, f).due[ASSIGNMENT] == dt.datetime(2027, 1, 15, 22, 59)
    f.write_text("assignments:\n  kata-000-nope: 2027-01-15 23:59\n")
    with pytest.raises(CourseError, match="kata-000-nope"):
        load_schedule(course, f)


def test_schedule_command_sets_gradebook_due_date(course_dir):
    from nbgrader.api import Gradebook
    course = Course.open(course_dir)
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.update_or_create_assignment(ASSIGNMENT)
    f = course_dir / "schedule.yml"
    f.write_text(f"assignments:\n  {ASSIGNMENT}: '2027-02-01T12:00:00+00:00'\n")
    result = CliRunner().invoke(main, ["schedule", "--schedule", str(f), "--root", str(course_dir)])
    assert result.exit_code == 0, result.output
    with Gradebook(course.db_url, course.course_id) as gb:
        assert gb.find_assignment(ASSIGNMENT).duedate == dt.datetime(2027, 2, 1, 12, 0)


@pytest.mark.parametrize("seconds, fraction", [(0, 0), (1, 0.1), (86400, 0.1), (86401, 0.2), (3 * 86400, 0.3),
                                               (30 * 86400, 0.5)])
def test_late_policy_ten_percent_per_started_day_capped_at_half(seconds, fraction):
    assert penalty_fraction(seconds) == pytest.approx(fraction)
    assert PercentPerDayLate().late_submission_penalty("s", 4.0, seconds) == pytest.approx(4.0 * fraction)


def test_late_policy_grace_period():
    assert days_late(600, grace_minutes=15) == 0 and days_late(1000, grace_minutes=15) == 1


def test_grades_export_applies_penalties_one_row_per_student(course_dir):
    from nbgrader.api import Gradebook
    course = Course.open(course_dir)
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.update_or_create_assignment(ASSIGNMENT)
        for sid in ("ann", "bob"):
            gb.update_or_create_student(sid, last_name=sid.title())
    result = CliRunner().invoke(main, ["grades", "-o", "-", "--root", str(course_dir)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.output.splitlines()))
    assert [r["student_id"] for r in rows] == ["ann", "bob"]
    assert rows[0][ASSIGNMENT] == "0" and rows[0]["total"] == "0" and "late_penalty" in rows[0]


def test_nbgrader_config_sets_exchange_and_policy(monkeypatch):
    monkeypatch.setenv("COURSE_EXCHANGE", "/tmp/some-exchange")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert config.Exchange.root == "/tmp/some-exchange" and config.Exchange.path_includes_course is True
    assert config.ExchangeFactory.submit == "course.term.private_submit.PrivateExchangeSubmit"
    assert config.AssignLatePenalties.plugin_class == "course.term.late_penalty.PercentPerDayLate"
    assert config.CourseDirectory.course_id == "elixir-day-two"  # existing settings kept


def test_jupyterhub_config_loads_with_traitlets(monkeypatch):
    monkeypatch.setenv("COURSE_INSTRUCTORS", "alice")
    monkeypatch.setenv("COURSE_STUDENTS", "s1,s2")
    config = PyFileConfigLoader("jupyterhub_config.py", path=str(REPO / "deploy")).load_config()
    services = config.JupyterHub.services
    assert services[0]["name"] == "formgrader-elixir-day-two" and services[0]["user"] == "grader-elixir-day-two"
    assert config.Authenticator.allowed_users == {"alice", "s1", "s2", "grader-elixir-day-two"}


def test_jupyterhub_accepts_the_config_when_installed():
    jupyterhub_app = pytest.importorskip("jupyterhub.app")
    app = jupyterhub_app.JupyterHub()
    app.load_config_file(str(REPO / "deploy" / "jupyterhub_config.py"))
    assert app.services[0]["name"].startswith("formgrader-")


@pytest.mark.parametrize("command", [["roster", "import"], ["schedule"], ["publish"], ["collect"], ["grades"]])
def test_every_term_command_has_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_publish_without_release_is_a_sentence(course_dir, tmp_path):
    f = course_dir / "schedule.yml"
    f.write_text(f"assignments:\n  {ASSIGNMENT}: 2027-01-15 23:59\n")
    result = CliRunner().invoke(main, ["publish", ASSIGNMENT, "--schedule", str(f), "--exchange",
                                       str(tmp_path / "ex"), "--root", str(course_dir)])
    assert result.exit_code == 2 and "course release" in result.output
