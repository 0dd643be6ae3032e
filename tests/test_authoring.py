"""The authoring stage: lessons/ID.md -> source/ID/ID.ipynb -> release/ID/ID.ipynb, and its lint.

Every test works in a temporary copy of the course (tmp_path): nothing here
writes into the real source/, release/ or gradebook.db. No Elixir kernel is
needed: authoring never executes a cell.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from course.authoring import (
    analyse_tests_cell,
    check_source,
    lint_path,
    notebook_bytes,
    read_lesson,
    source_notebook,
    verify_release,
)
from course.authoring.commands import build, lint, release
from course.authoring.elixir_source import scan
from course.authoring.tests_cell import ends_with_grade_run
from course.authoring.withhold import withhold_hidden_tests

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "lessons"
LESSON = "day2-90-fixture-lesson"


def run(command, *args: str):
    result = CliRunner().invoke(command, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course root in tmp_path: the real nbgrader_config.py and the valid fixture lesson."""
    shutil.copy(REPO / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    (tmp_path / "lessons").mkdir()
    shutil.copy(FIXTURES / f"{LESSON}.md", tmp_path / "lessons" / f"{LESSON}.md")
    return tmp_path


def source_of(root: Path, assignment_id: str = LESSON) -> Path:
    return root / "source" / assignment_id / f"{assignment_id}.ipynb"


def release_of(root: Path, assignment_id: str = LESSON) -> Path:
    return root / "release" / assignment_id / f"{assignment_id}.ipynb"


def cells_by_id(path: Path) -> dict:
    return {cell.id: cell for cell in nbformat.read(path, as_version=4).cells}


# --- build --------------------------------------------------------------------------------


def test_build_writes_an_nbgrader_source_notebook(course: Path):
    result = run(build, "--root", str(course))
    assert result.exit_code == 0, result.output
    assert "1 written" in result.output

    notebook = nbformat.read(source_of(course), as_version=4)
    assert notebook.metadata.kernelspec == {"name": "elixir", "display_name": "Elixir", "language": "elixir"}
    assert notebook.metadata.language_info["name"] == "elixir"
    assert notebook.metadata.language_info["file_extension"] == ".ex"
    assert "jupytext" not in notebook.metadata
    cells = {cell.id: cell for cell in notebook.cells}
    assert cells["doubler"].metadata.nbgrader == {
        "grade": False, "solution": True, "locked": False, "grade_id": "doubler", "schema_version": 3,
    }
    assert cells["doubler_tests"].metadata.nbgrader == {
        "grade": True, "solution": False, "locked": True, "points": 3.5, "grade_id": "doubler_tests", "schema_version": 3,
    }
    assert cells["why_guard"].cell_type == "markdown"
    assert cells["why_guard"].metadata.nbgrader == {
        "grade": True, "solution": True, "locked": False, "points": 2, "grade_id": "why_guard", "schema_version": 3,
    }
    assert cells["setup_locked"].metadata.nbgrader["locked"] is True
    assert cells["cell-1"].metadata.tags == ["instructor-only"]
    assert cells["cell-8"].metadata.tags == ["parameters"]
    for cell in notebook.cells:
        assert not {"role", "grade_id", "points"} & set(cell.metadata), cell.id
    nbformat.validate(notebook)


def test_build_is_deterministic(course: Path):
    run(build, "--root", str(course))
    first = source_of(course).read_bytes()
    source_of(course).unlink()
    run(build, "--root", str(course))
    assert source_of(course).read_bytes() == first
    again = run(build, "--root", str(course))
    assert "1 unchanged" in again.output
    lesson = read_lesson(course / "lessons" / f"{LESSON}.md")
    assert notebook_bytes(source_notebook(lesson)) == first


def test_build_refuses_to_write_a_lesson_with_lint_errors(course: Path):
    shutil.copy(FIXTURES / "lint" / "kata-907-solution-without-region.md", course / "lessons")
    result = run(build, "--root", str(course))
    assert result.exit_code == 1
    assert "lessons/kata-907-solution-without-region.md:9: solution cell has no" in result.output
    assert not source_of(course, "kata-907-solution-without-region").exists()
    assert source_of(course).exists(), "a valid lesson is still built"


def test_points_are_derived_from_the_grade_run_tests():
    source = '''Grade.run do
  test "one", points: 1 do
    assert true
  end
  test("two", points: 0.5) do
    assert "points: 99" != ""
  end
  ### BEGIN HIDDEN TESTS
  hidden_test "three", points: 1_000, timeout: 10_000 do
    assert true
  end
  ### END HIDDEN TESTS
end'''
    cell = analyse_tests_cell(source)
    assert [(t.name, t.points, t.hidden, t.in_hidden_region) for t in cell.tests] == [
        ("one", 1.0, False, False), ("two", 0.5, False, False), ("three", 1000.0, True, True),
    ]
    assert cell.points == 1001.5
    assert cell.hidden_count == 1
    assert cell.ends_with_grade_run


@pytest.mark.parametrize(
    "source, ends",
    [
        ("Grade.run do\n  test \"a\", points: 1 do\n    :ok\n  end\nend", True),
        ("x = 1\n\nGrade.run do\nend\n# trailing comment", True),
        ("Grade.run(timeout: 1_000) do\n  check.(1)\nend", True),
        ("Grade.run do\nend\n|> IO.inspect()", False),
        ("Grade.run do\nend\n:ok", False),
        ("score =\n  Grade.run do\n  end", False),
        ("IO.puts(\"Grade.run do end\")", False),
    ],
)
def test_last_expression_must_be_grade_run(source: str, ends: bool):
    assert ends_with_grade_run(scan(source)) is ends


def test_scanner_drops_comments_and_strings():
    tokens = scan('# Ecto.Changeset\nx = "Ecto #{Phoenix}" <> ~s(Plug) <> ~S"""\nMox\n"""\ny = ?# \'Mox\'\nEnum')
    assert [t.text for t in tokens if t.kind == "alias"] == ["Enum"]
    assert tokens[-1].line == 5


# --- lint -------------------------------------------------------------------------------

LINT_CASES = {
    "kata-901-duplicate-grade-id": ["20: duplicate grade_id 'ex1' (first used on line 9)"],
    "kata-902-no-grade-run": ["20: the last expression of a tests cell must be `Grade.run do ... end`"],
    "kata-903-points-mismatch": [
        "20: points 5 in the cell metadata differ from its tests' points (2); drop the metadata, the build derives it",
    ],
    "kata-904-no-literal-points": [
        "25: test 'f is 1' has no literal points (write points: 1)",
        "29: test 'f is one' has no literal points (write points: 1)",
    ],
    "kata-905-test-in-hidden-region": [
        "20: warning: the lesson has no hidden tests; add hidden_test cases that catch hard-coded answers",
        "26: test 'f is 1' is inside the hidden tests region; write hidden_test",
    ],
    "kata-906-hidden-test-outside-region": [
        "29: hidden_test 'f is still 1' is outside ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS",
    ],
    "kata-907-solution-without-region": ["9: solution cell has no ### BEGIN SOLUTION / ### END SOLUTION region"],
    "kata-908-written-without-region": ["9: written cell has no ### BEGIN SOLUTION / ### END SOLUTION region"],
    "kata-909-missing-grade-id": ["9: solution cell has no grade_id", "19: written cell has no grade_id"],
    "kata-910-hex-packages": [
        f"{line}: code cell uses {name}, a Hex package that cannot run here; "
        "show it in a fenced ```elixir block in markdown and build the idea with OTP"
        for line, name in ((24, "Mix.install"), (28, "Ecto"), (29, "Phoenix"), (34, "Plug"))
    ],
    "kata-911-unknown-role": ["9: unknown role 'answer' (expected solution, tests or written)"],
    "kata-912-no-hidden-tests": [
        "20: warning: the lesson has no hidden tests; add hidden_test cases that catch hard-coded answers",
    ],
    "kata-913-written-without-mark-scheme": [
        "9: warning: written cell is not followed by an instructor-only mark-scheme cell",
    ],
    "kata-914-bad-front-matter": ["4: the front matter is not valid YAML: expected ',' or '}', but got ':'"],
    "kata-915-unclosed-fence": ["9: the fence ```{code-cell} elixir opened here is never closed"],
    "kata-916-bad-cell-metadata": [
        "9: the metadata after `+++` is not valid JSON: Expecting property name enclosed in double quotes",
    ],
    "kata-917-solution-marker-outside": [
        "9: ### BEGIN SOLUTION in a cell that is not a solution or written cell (nbgrader would abort the release)",
    ],
    "kata-918-autotest": ["20: AUTOTEST would make nbgrader start a kernel at release; write tests with Grade.run"],
    "kata-919-unclosed-solution-region": ["14: `### BEGIN SOLUTION` is never closed by `### END SOLUTION`"],
    "kata-920-metadata-without-text": ["9: this `+++` line gives cell metadata but no markdown text follows it"],
    "kata-921-fence-swallows-cell": [
        "11: the fence ```elixir opened here swallows the cell marker on line 14; close the fence before it",
    ],
    "day2-1-bad-name": [
        "1: 'day2-1-bad-name' is not an assignment id (day2-NN-slug, kata-NNN-slug or gate-phase-NN-slug)",
    ],
}


def test_every_lint_fixture_has_a_case():
    assert sorted(p.stem for p in (FIXTURES / "lint").glob("*.md")) == sorted(LINT_CASES)


@pytest.mark.parametrize("assignment_id", sorted(LINT_CASES))
def test_lint_reports_file_line_message(tmp_path: Path, assignment_id: str):
    (tmp_path / "lessons").mkdir()
    shutil.copy(FIXTURES / "lint" / f"{assignment_id}.md", tmp_path / "lessons")
    result = run(lint, "--root", str(tmp_path))
    expected = [f"lessons/{assignment_id}.md:{case}" for case in LINT_CASES[assignment_id]]
    reported = [line for line in result.output.splitlines() if line.startswith("lessons/")]
    assert reported == expected
    has_error = any(": warning: " not in line for line in expected)
    assert result.exit_code == (1 if has_error else 0)


def test_valid_fixture_lesson_has_no_problems():
    lesson, problems = lint_path(FIXTURES / f"{LESSON}.md")
    assert lesson is not None and problems == []


def test_malformed_text_is_a_sentence_not_a_traceback(course: Path):
    shutil.copy(FIXTURES / "lint" / "kata-914-bad-front-matter.md", course / "lessons")
    result = run(build, "--root", str(course), "kata-914-bad-front-matter")
    assert result.exit_code == 1
    assert "lessons/kata-914-bad-front-matter.md:4: the front matter is not valid YAML" in result.output


# --- usage errors ---------------------------------------------------------------------------


def test_unknown_id_is_a_usage_error(course: Path):
    result = run(build, "--root", str(course), "day2-99-nope")
    assert result.exit_code == 2
    assert "unknown assignment id 'day2-99-nope'" in result.output


def test_missing_lessons_folder_is_a_usage_error(tmp_path: Path):
    for command in (build, lint):
        result = run(command, "--root", str(tmp_path))
        assert result.exit_code == 2
        assert "there is no lessons folder" in result.output


def test_release_needs_ids_or_all(course: Path):
    result = run(release, "--root", str(course))
    assert result.exit_code == 2
    assert "--all" in result.output


@pytest.mark.parametrize("command", [build, lint, release])
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "--root" in result.output


# --- release ---------------------------------------------------------------------------------


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if anything tries to start a Jupyter kernel."""
    import jupyter_client.manager
    import nbgrader.preprocessors.instantiatetests as instantiatetests

    def refuse(*args, **kwargs):
        raise AssertionError("the authoring stage started a kernel")

    monkeypatch.setattr(jupyter_client.manager.KernelManager, "start_kernel", refuse)
    monkeypatch.setattr(jupyter_client.manager, "start_new_kernel", refuse)
    monkeypatch.setattr(instantiatetests, "start_new_kernel", refuse)


def test_release_hides_secrets_and_registers_the_assignment(course: Path, no_kernel):
    from nbgrader.api import Gradebook

    assert run(build, "--root", str(course)).exit_code == 0
    result = run(release, "--root", str(course), LESSON)
    assert result.exit_code == 0, result.output

    text = release_of(course).read_text()
    assert "instructor-only" not in text
    assert "Teaching notes" not in text and "Mark scheme" not in text
    assert "BEGIN HIDDEN TESTS" not in text and "doubles a negative number" not in text
    assert "BEGIN SOLUTION" not in text and "is_integer(x), do: x * 2" not in text
    assert "not implemented yet" in text
    cells = cells_by_id(release_of(course))
    assert "doubles 2" in cells["doubler_tests"].source
    assert cells["doubler_tests"].metadata.nbgrader["points"] == 3.5
    # Where the hidden tests were, Grade.run learns what they are worth (see Grade.Withheld).
    assert cells["doubler_tests"].source.endswith("  end\n  withheld_tests points: 2\nend")
    assert "YOUR ANSWER HERE" in cells["why_guard"].source

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "elixir-day-two") as gradebook:
        assignment = gradebook.find_assignment(LESSON)
        assert [nb.name for nb in assignment.notebooks] == [LESSON]
        assert assignment.max_score == pytest.approx(5.5)
    assert not (REPO / "release" / LESSON).exists()


def test_release_is_deterministic_and_check_passes(course: Path, no_kernel):
    run(build, "--root", str(course))
    run(release, "--root", str(course), "--all")
    first = release_of(course).read_bytes()
    second = run(release, "--root", str(course), "--all")
    assert "unchanged" in second.output
    assert release_of(course).read_bytes() == first
    check = run(build, "--root", str(course), "--check")
    assert check.exit_code == 0, check.output
    assert "in sync" in check.output


def test_release_refuses_a_stale_source(course: Path):
    run(build, "--root", str(course))
    lesson = course / "lessons" / f"{LESSON}.md"
    lesson.write_text(lesson.read_text().replace("doubling numbers", "doubling integers"))
    result = run(release, "--root", str(course), LESSON)
    assert result.exit_code == 1
    assert "out of date with its lesson; run `course build" in result.output
    assert not release_of(course).exists()


def test_check_detects_an_edited_text_and_writes_nothing(course: Path):
    run(build, "--root", str(course))
    run(release, "--root", str(course), "--all")
    before = {p: p.read_bytes() for p in course.rglob("*.ipynb")}
    lesson = course / "lessons" / f"{LESSON}.md"
    lesson.write_text(lesson.read_text().replace("doubles 2", "doubles two"))

    result = run(build, "--root", str(course), "--check")
    assert result.exit_code == 1
    assert f"source/{LESSON}/{LESSON}.ipynb is out of date" in result.output
    assert f"release/{LESSON}/{LESSON}.ipynb is out of date" in result.output
    assert {p: p.read_bytes() for p in course.rglob("*.ipynb")} == before
    assert check_source(course, LESSON).status == "out of date"


def test_check_detects_missing_and_tampered_releases(course: Path):
    run(build, "--root", str(course))
    missing = run(build, "--root", str(course), "--check")
    assert missing.exit_code == 1
    assert f"release/{LESSON}/{LESSON}.ipynb is missing" in missing.output

    run(release, "--root", str(course), LESSON)
    release_of(course).write_text(release_of(course).read_text().replace("doubles 2", "doubles 3"))
    tampered = run(build, "--root", str(course), "--check")
    assert tampered.exit_code == 1
    assert f"release/{LESSON}/{LESSON}.ipynb is out of date" in tampered.output
    assert f"source/{LESSON}" not in tampered.output


def test_withheld_line_sums_each_hidden_region_and_keeps_its_indent():
    source = "\n".join([
        "Grade.run do",
        "  test \"a\", points: 1 do", "    assert true", "  end",
        "    ### BEGIN HIDDEN TESTS",
        "  hidden_test \"b\", points: 1.5 do", "    assert true", "  end",
        "  hidden_test \"c\", points: 2 do", "    assert true", "  end",
        "    ### END HIDDEN TESTS",
        "  ### BEGIN HIDDEN TESTS", "  # no tests here", "  ### END HIDDEN TESTS",
        "end",
    ])
    assert withhold_hidden_tests(source).split("\n")[4:] == ["    withheld_tests points: 3.5", "end"]
    assert withhold_hidden_tests("Grade.run do\n  test \"a\", points: 1 do\n    :ok\n  end\nend") is None
    assert withhold_hidden_tests("### BEGIN HIDDEN TESTS\nx = 1\n### END HIDDEN TESTS") is None


def test_verify_release_names_every_leak():
    lesson = read_lesson(FIXTURES / f"{LESSON}.md")
    source = source_notebook(lesson)
    assert verify_release(source, nbformat.v4.new_notebook()) == []
    leaks = verify_release(source, source)
    assert "instructor-only cell cell-1 is in the release" in leaks
    assert any("the hidden tests of cell doubler_tests" in leak for leak in leaks)
    assert any("the solution of cell doubler" in leak for leak in leaks)
    assert "the text '### BEGIN HIDDEN TESTS' is in the release" in leaks


# --- the real course --------------------------------------------------------------------------


def test_committed_notebooks_are_in_sync_with_the_lessons():
    """`course build --check` on the repository itself (read-only: releases are regenerated in a temp dir)."""
    if not any((REPO / "lessons").glob("*.md")):
        pytest.skip("no lessons yet")
    result = run(build, "--root", str(REPO), "--check")
    assert result.exit_code == 0, result.output
