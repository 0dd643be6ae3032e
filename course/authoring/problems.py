"""What authoring reports to a person: problems located in the lesson text, and sentence errors.

Every failure of the authoring stage ends up as one of these, so the CLI can
print sentences (`lessons/ID.md:LINE: message`) instead of Python tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of the lint or the reader, located at a line of a lesson file."""

    path: str
    line: int
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == WARNING else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"


class AuthoringError(Exception):
    """A failure that the command reports as sentences and exit code 1.

    Carries the problems found (for text errors) or just a message.
    """

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class UsageProblem(Exception):
    """A mistake in how the command was called (unknown id, no lessons folder): exit code 2."""


def has_errors(problems: list[Problem]) -> bool:
    return any(p.is_error for p in problems)
