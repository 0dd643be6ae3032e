"""Read a text lesson the way jupytext does, and remember where every cell starts.

jupytext turns `lessons/ID.md` (MyST) into a notebook but forgets line numbers;
the lint needs them to say `lessons/ID.md:LINE: message`. This module walks the
same markdown-it tokens jupytext walks (same rules as `jupytext.myst.myst_to_notebook`)
to recover each cell's line, and turns malformed text (bad YAML front matter,
an unclosed fence, unreadable cell metadata) into located sentences.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import yaml
from jupytext.myst import CODE_DIRECTIVE, RAW_DIRECTIVE, get_parser, parse_directive_options
from nbformat import NotebookNode

from course.authoring.problems import AuthoringError, Problem

_CLOSING_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*$")
_CELL_START = re.compile(r"^\s*(?:(?:`{3,}|~{3,})\s*\{(?:code|raw)-cell\}|\+\+\+)")


@dataclass(frozen=True)
class CellPlace:
    """Where a cell sits in the text: its marker (fence or `+++`) line and its first source line."""

    line: int
    body_line: int
    marker_metadata: bool = False
    language: str | None = None


@dataclass
class Lesson:
    """A lesson as jupytext read it (cell metadata still holds `role`), plus cell line numbers."""

    assignment_id: str
    display: str
    text: str
    notebook: NotebookNode
    places: list[CellPlace] = field(default_factory=list)

    def line(self, index: int, offset: int | None = None) -> int:
        """1-based line of cell `index` in the text; with `offset`, of that line of the cell's source."""
        place = self.places[index]
        return place.line if offset is None else place.body_line + offset


def read_lesson(path: str | Path, display: str | None = None) -> Lesson:
    """Read `path` (MyST markdown) into a Lesson; raises AuthoringError with located problems."""
    path = Path(path)
    display = display or path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AuthoringError(f"{display}: cannot read the lesson ({error})") from None
    return read_lesson_text(text, path.stem, display)


def read_lesson_text(text: str, assignment_id: str, display: str) -> Lesson:
    """Like read_lesson, for text already in memory."""
    places = _cell_places(text, display)
    try:
        notebook = jupytext.reads(text, fmt="md:myst")
    except Exception as error:  # jupytext raises yaml, json and its own errors alike
        raise _failure(display, 1, f"jupytext cannot read this lesson: {_one_line(error)}")
    if len(notebook.cells) != len(places):
        raise _failure(display, 1, "cannot match jupytext's cells to lines of the text")
    return Lesson(assignment_id, display, text, notebook, places)


def _failure(display: str, line: int, message: str) -> AuthoringError:
    problem = Problem(display, line, message)
    return AuthoringError(str(problem), [problem])


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _cell_places(text: str, display: str) -> list[CellPlace]:
    lines = text.splitlines()
    tokens = get_parser().parse(text + "\n")
    _check_fences_closed(tokens, lines, display)
    start = _front_matter_end(tokens, lines, display)
    places: list[CellPlace] = []
    marker: int | None = None
    marker_has_metadata = False

    def flush_markdown(end: int) -> None:
        body = next((i for i in range(start, end) if lines[i] != ""), None)
        if body is None or not "\n".join(lines[start:end]).strip():
            if marker is not None and marker_has_metadata:
                raise _failure(display, marker, "this `+++` line gives cell metadata but no markdown text follows it")
            return
        places.append(CellPlace(marker if marker is not None else body + 1, body + 1, marker_has_metadata))

    nesting = 0
    for token in tokens:
        nesting += token.nesting
        if nesting != 0:
            continue
        if token.type == "fence" and token.info.startswith((CODE_DIRECTIVE, RAW_DIRECTIVE)):
            flush_markdown(token.map[0])
            body_lines = _fenced_body(token, display)
            closing = token.map[1] - 1
            language = token.info[len(CODE_DIRECTIVE) :].strip() or None
            places.append(CellPlace(token.map[0] + 1, closing - len(body_lines) + 1, False, language))
            start, marker, marker_has_metadata = token.map[1], None, False
        elif token.type == "myst_block_break":
            flush_markdown(token.map[0])
            marker = token.map[0] + 1
            marker_has_metadata = _block_break_metadata(token, display, marker)
            start = token.map[1]
    flush_markdown(len(lines))
    return places


def _front_matter_end(tokens: list, lines: list[str], display: str) -> int:
    """Check the YAML front matter; return the index of the first line after it."""
    if tokens and tokens[0].type == "front_matter":
        front = tokens.pop(0)
        try:
            data = yaml.safe_load(front.content)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = 2 + mark.line if mark is not None else 1
            problem = getattr(error, "problem", None) or _one_line(error)
            raise _failure(display, line, f"the front matter is not valid YAML: {problem}") from None
        if data is not None and not isinstance(data, dict):
            raise _failure(display, 1, "the front matter must be a YAML mapping (key: value lines)")
        return front.map[1]
    if lines and lines[0].strip() == "---":
        raise _failure(display, 1, "the front matter opened here is never closed with a `---` line")
    return 0


def _check_fences_closed(tokens: list, lines: list[str], display: str) -> None:
    for token in tokens:
        if token.type != "fence":
            continue
        last = token.map[1] - 1
        match = _CLOSING_FENCE.match(lines[last]) if token.map[0] < last < len(lines) else None
        closed = bool(match) and match.group(1)[0] == token.markup[0] and len(match.group(1)) >= len(token.markup)
        what = f"{token.markup}{token.info}"
        if not closed:
            raise _failure(display, token.map[0] + 1, f"the fence {what} opened here is never closed")
        if token.info.startswith((CODE_DIRECTIVE, RAW_DIRECTIVE)):
            continue
        for offset, line in enumerate(token.content.splitlines()):
            if _CELL_START.match(line):
                swallowed = token.map[0] + 2 + offset
                raise _failure(display, token.map[0] + 1, f"the fence {what} opened here swallows the cell marker on line {swallowed}; close the fence before it")


def _fenced_body(token, display: str) -> list[str]:
    """The source lines of a code/raw cell (jupytext's rule), or a located YAML error."""
    line = token.map[0] + 1
    try:
        body_lines, options = parse_directive_options(token.content, "")
    except Exception as error:
        raise _failure(display, line, f"the options of this cell are not valid YAML: {_one_line(error)}") from None
    if not isinstance(options, dict):
        raise _failure(display, line, "the options of this cell must be `:key: value` lines or a YAML mapping")
    if body_lines and not body_lines[0].strip():
        body_lines = body_lines[1:]
    return body_lines


def _block_break_metadata(token, display: str, line: int) -> bool:
    content = token.content.strip()
    if not content:
        return False
    try:
        metadata = json.loads(content)
    except json.JSONDecodeError as error:
        raise _failure(display, line, f"the metadata after `+++` is not valid JSON: {error.msg}") from None
    if not isinstance(metadata, dict):
        raise _failure(display, line, 'the metadata after `+++` must be a JSON object such as {"role": "written"}')
    return bool(metadata)
