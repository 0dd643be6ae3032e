"""The release step's hidden-test remover: it leaves `withheld_tests points: N` behind.

nbgrader's ClearHiddenTests deletes a test cell's hidden tests from the
student's copy but keeps the cell's full points, so `Grade.run` in a released
notebook could never reach them and `nbgrader validate` would call every
solved cell "partial credit". This subclass replaces each hidden region of an
Elixir tests cell with one `withheld_tests points: N` line (N: the literal
points of the tests in the region), which `Grade.run` reports and credits
while the visible tests pass (see `Grade.Withheld`). Grading restores the
instructor's cell, so the line never affects a grade.
"""

from __future__ import annotations

from nbgrader.preprocessors import ClearHiddenTests

from course.authoring.regions import HIDDEN_TESTS, find_regions
from course.authoring.tests_cell import analyse_tests_cell


def withheld_line(indent: str, points: float) -> str:
    number = int(points) if float(points).is_integer() else points
    return f"{indent}withheld_tests points: {number}"


def withhold_hidden_tests(source: str) -> str | None:
    """`source` with each hidden region replaced by its `withheld_tests` line; None if the
    cell is not a well-formed Elixir tests cell with hidden regions (nbgrader's own rules apply)."""
    scan = find_regions(source, HIDDEN_TESTS)
    declared = analyse_tests_cell(source)
    if scan.error or not scan.regions or declared.scan_error or not declared.ends_with_grade_run:
        return None
    lines = source.split("\n")
    kept: list[str] = []
    cursor = 0
    for region in scan.regions:
        kept += lines[cursor : region.begin]
        points = sum(t.points or 0 for t in declared.tests if region.contains(t.line))
        if points > 0:
            begin = lines[region.begin]
            kept.append(withheld_line(begin[: len(begin) - len(begin.lstrip())], points))
        cursor = region.end + 1
    kept += lines[cursor:]
    return "\n".join(kept)


class WithholdHiddenTests(ClearHiddenTests):
    """ClearHiddenTests that keeps the hidden tests' points visible to `Grade.run`."""

    def _remove_hidden_test_region(self, cell) -> bool:
        replaced = withhold_hidden_tests(cell.source) if cell.cell_type == "code" else None
        if replaced is None:
            return super()._remove_hidden_test_region(cell)
        cell.source = replaced
        return True
