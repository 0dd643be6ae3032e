"""Lint rules for the Elixir inside executed code cells: tests cells and Hex-only libraries.

Every code cell runs (reference run, autograding, papermill) on a machine with
no Hex, so a cell that calls Ecto, Phoenix, Plug... can never pass; such code
belongs in a fenced ```elixir block in markdown. A tests cell must end with
`Grade.run do ... end` (its value is the score nbgrader reads) and every test
must carry literal points, the hidden ones inside the hidden region.
"""

from __future__ import annotations

from nbformat import NotebookNode

from course.authoring.elixir_source import ScanError, Token, scan
from course.authoring.metadata import points_value
from course.authoring.problems import ERROR, WARNING
from course.authoring.reader import Lesson
from course.authoring.tests_cell import analyse_tests_cell

Finding = tuple[int, str, str]

# Hex packages (not Elixir/OTP, not Debian-packaged): naming them as code in a cell means it cannot run here.
HEX_MODULES = frozenset(
    """Ecto Phoenix Plug StreamData ExUnitProperties Mox Absinthe Oban Jason Poison Finch Req Tesla
    HTTPoison Mint Postgrex MyXQL Exqlite Bandit Broadway GenStage Flow Nx Explorer Benchee ExMachina
    Floki Swoosh Bamboo Guardian Joken Bcrypt Argon2 Comeonin Timex Decimal NimbleParsec NimbleOptions
    NimblePool Cachex ConCache Redix Horde Commanded EventStore Hammer Bypass Wallaby Telemetry Gettext""".split()
)


def code_findings(lesson: Lesson, index: int, cell: NotebookNode) -> list[Finding]:
    """Language, scanability, AUTOTEST and Hex-package rules for one code cell."""
    line = lesson.line(index)
    found: list[Finding] = []
    language = lesson.places[index].language
    if language != "elixir":
        found.append((line, f"code cell language is {language or 'missing'}; write ```{{code-cell}} elixir", ERROR))
    if "AUTOTEST" in cell.source:
        found.append((line, "AUTOTEST would make nbgrader start a kernel at release; write tests with Grade.run", ERROR))
    try:
        tokens = scan(cell.source)
    except ScanError as error:
        found.append((lesson.line(index, error.line), f"cannot scan this Elixir: {error}", WARNING))
        return found
    for name, token in hex_uses(tokens):
        found.append((
            lesson.line(index, token.line),
            f"code cell uses {name}, a Hex package that cannot run here; "
            "show it in a fenced ```elixir block in markdown and build the idea with OTP",
            ERROR,
        ))
    return found


def hex_uses(tokens: list[Token]) -> list[tuple[str, Token]]:
    """First use of each Hex-only module (as code, not in comments or strings), and of Mix.install."""
    seen: dict[str, Token] = {}
    for i, token in enumerate(tokens):
        after_dot = i > 0 and tokens[i - 1].text == "."
        if token.kind != "alias" or after_dot:
            continue
        if token.text in HEX_MODULES:
            seen.setdefault(token.text, token)
        elif token.text == "Mix" and [t.text for t in tokens[i + 1 : i + 3]] == [".", "install"]:
            seen.setdefault("Mix.install", token)
    return sorted(seen.items(), key=lambda item: item[1].line)


def tests_findings(lesson: Lesson, index: int, cell: NotebookNode) -> list[Finding]:
    """Grade.run as last expression, literal points, test/hidden_test placement, points agreement."""
    line = lesson.line(index)
    analysis = analyse_tests_cell(cell.source)
    if analysis.scan_error is not None:
        return [(lesson.line(index, analysis.scan_error.line), f"cannot read this tests cell: {analysis.scan_error}", ERROR)]
    found: list[Finding] = []
    if not analysis.ends_with_grade_run:
        found.append((line, "the last expression of a tests cell must be `Grade.run do ... end`", ERROR))
    if not analysis.tests:
        found.append((line, 'tests cell declares no test (write `test "name", points: 1 do ... end`)', ERROR))
    for test in analysis.tests:
        at = lesson.line(index, test.line)
        if test.points is None or test.points <= 0:
            found.append((at, f"{test.keyword} '{test.name}' has no literal points (write points: 1)", ERROR))
        if test.keyword == "test" and test.in_hidden_region:
            found.append((at, f"test '{test.name}' is inside the hidden tests region; write hidden_test", ERROR))
        if test.keyword == "hidden_test" and not test.in_hidden_region:
            found.append((at, f"hidden_test '{test.name}' is outside ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS", ERROR))
    declared = cell.metadata.get("points")
    if isinstance(declared, (int, float)) and not isinstance(declared, bool) and analysis.tests:
        if float(declared) != analysis.points:
            found.append((
                line,
                f"points {points_value(declared)} in the cell metadata differ from its tests' points "
                f"({points_value(analysis.points)}); drop the metadata, the build derives it",
                ERROR,
            ))
    return found
