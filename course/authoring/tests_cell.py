"""What a `tests` cell declares: its `test`/`hidden_test` calls, their literal points, its last expression.

The cell's nbgrader points are derived from here (the sum of the literal
`points:`), so the notebook can never disagree with the tests it runs. Works on
the text only; nothing is executed.
"""

from __future__ import annotations

from dataclasses import dataclass

from course.authoring.elixir_source import CLOSERS, ScanError, Token, depths, first_on_line, scan
from course.authoring.regions import HIDDEN_TESTS, find_regions, in_any

TEST_WORDS = ("test", "hidden_test")


@dataclass(frozen=True)
class TestDeclaration:
    """One `test "name", points: N do` (or `hidden_test`) line; `line` is 0-based in the cell."""

    name: str
    line: int
    keyword: str
    in_hidden_region: bool
    points: float | None

    @property
    def hidden(self) -> bool:
        return self.keyword == "hidden_test"


@dataclass(frozen=True)
class TestsCell:
    tests: list[TestDeclaration]
    ends_with_grade_run: bool
    scan_error: ScanError | None = None
    region_error: tuple[int, str] | None = None

    @property
    def points(self) -> float:
        """Sum of the literal points of all tests (tests without literal points count 0)."""
        return float(sum(t.points or 0 for t in self.tests))

    @property
    def hidden_count(self) -> int:
        return sum(1 for t in self.tests if t.hidden)


def analyse_tests_cell(source: str) -> TestsCell:
    """Read the tests declared in an Elixir tests cell and whether it ends with `Grade.run do ... end`."""
    regions = find_regions(source, HIDDEN_TESTS)
    try:
        tokens = scan(source)
    except ScanError as error:
        return TestsCell([], False, error, regions.error)
    tests = [
        _declaration(tokens, index, regions.regions)
        for index, token in enumerate(tokens)
        if token.kind == "ident" and token.text in TEST_WORDS and first_on_line(tokens, index) and _names_test(tokens, index)
    ]
    return TestsCell(tests, ends_with_grade_run(tokens), None, regions.error)


def _names_test(tokens: list[Token], index: int) -> bool:
    following = tokens[index + 1 : index + 3]
    if following and following[0].kind == "string":
        return True
    return len(following) == 2 and following[0].text == "(" and following[1].kind == "string"


def _declaration(tokens: list[Token], index: int, regions) -> TestDeclaration:
    keyword = tokens[index]
    name_token = tokens[index + 1] if tokens[index + 1].kind == "string" else tokens[index + 2]
    points = None
    cursor = tokens.index(name_token, index) + 1
    while cursor < len(tokens):
        token = tokens[cursor]
        if token.text == "do" and token.kind in ("ident", "kw"):
            break
        if token.kind == "kw" and token.text == "points":
            value = tokens[cursor + 1] if cursor + 1 < len(tokens) else None
            points = _number(value.text) if value is not None and value.kind == "number" else None
            break
        cursor += 1
    return TestDeclaration(
        name=name_token.text[1:-1],
        line=keyword.line,
        keyword=keyword.text,
        in_hidden_region=in_any(regions, keyword.line),
        points=points,
    )


def _number(text: str) -> float | None:
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return None


def ends_with_grade_run(tokens: list[Token]) -> bool:
    """True when the last top-level expression is `Grade.run ... do ... end`."""
    if not tokens or tokens[-1].text != "end":
        return False
    level = depths(tokens)
    start = _last_expression_start(tokens, level)
    if start is None or [t.text for t in tokens[start : start + 3]] != ["Grade", ".", "run"]:
        return False
    do_index = next(
        (i for i in range(start + 3, len(tokens)) if level[i] == 0 and tokens[i].kind == "ident" and tokens[i].text == "do"),
        None,
    )
    if do_index is None:
        return False
    return all(level[i] >= 1 for i in range(do_index + 1, len(tokens))) and level[-1] == 1


def _last_expression_start(tokens: list[Token], level: list[int]) -> int | None:
    start = None
    for index, token in enumerate(tokens):
        if level[index] != 0 or not first_on_line(tokens, index):
            continue
        previous = tokens[index - 1] if index else None
        continues = previous is not None and (
            (previous.kind == "op" and previous.text not in CLOSERS) or previous.kind == "kw" or previous.text == ","
        )
        if not continues and token.kind != "op":
            start = index
    return start
