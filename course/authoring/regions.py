"""The `### BEGIN ... / ### END ...` regions nbgrader acts on, found exactly as nbgrader finds them.

nbgrader's ClearSolutions and ClearHiddenTests look for the delimiter text
anywhere in a line of any cell, and abort the whole release on a nested or
unclosed region. The lint uses this module to catch those cases first, and the
release check uses it to know which text must never reach students.
"""

from __future__ import annotations

from dataclasses import dataclass

SOLUTION = ("BEGIN SOLUTION", "END SOLUTION")
HIDDEN_TESTS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
MARK_SCHEME = ("BEGIN MARK SCHEME", "END MARK SCHEME")


@dataclass(frozen=True)
class Region:
    """Lines `begin` and `end` (0-based, the delimiter lines) of one region in a cell source."""

    begin: int
    end: int

    def contains(self, line: int) -> bool:
        return self.begin < line < self.end

    def text(self, source: str) -> str:
        """The region's content without its delimiter lines."""
        return "\n".join(source.split("\n")[self.begin + 1 : self.end])


@dataclass(frozen=True)
class RegionScan:
    regions: list[Region]
    error: tuple[int, str] | None  # (0-based line, message) of the first malformed delimiter


def find_regions(source: str, delimiters: tuple[str, str]) -> RegionScan:
    """Regions delimited by `delimiters` in `source`, with the first nesting/closing mistake if any."""
    begin_text, end_text = delimiters
    regions: list[Region] = []
    opened: int | None = None
    for number, line in enumerate(source.split("\n")):
        if begin_text in line:
            if opened is not None:
                return RegionScan(regions, (number, f"`### {begin_text}` inside another {begin_text.lower()[6:]} region"))
            opened = number
        elif end_text in line:
            if opened is None:
                return RegionScan(regions, (number, f"`### {end_text}` without a `### {begin_text}` before it"))
            regions.append(Region(opened, number))
            opened = None
    if opened is not None:
        return RegionScan(regions, (opened, f"`### {begin_text}` is never closed by `### {end_text}`"))
    return RegionScan(regions, None)


def in_any(regions: list[Region], line: int) -> bool:
    return any(region.contains(line) for region in regions)


def lines_inside(source: str, delimiters: tuple[str, str]) -> list[str]:
    """The stripped, non-blank lines inside the regions of `source` (delimiter lines excluded)."""
    lines = source.split("\n")
    return [line.strip() for region in find_regions(source, delimiters).regions
            for line in lines[region.begin + 1 : region.end] if line.strip()]
