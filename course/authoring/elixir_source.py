"""Just enough of an Elixir lexer to lint cells without running them.

The authoring stage must not need the Elixir kernel, yet the lint has to tell
code from comments and strings (a `# uses Ecto` comment is fine, `Ecto.Changeset.cast(`
is not) and find `do ... end` nesting. This lexer drops comments, turns strings,
charlists, sigils and heredocs into single tokens, and records line numbers
(0-based, relative to the cell source).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IDENT = re.compile(r"[a-z_][a-zA-Z0-9_]*[?!]?")
_ALIAS = re.compile(r"[A-Z][a-zA-Z0-9_]*")
_NUMBER = re.compile(r"0x[0-9a-fA-F_]+|0b[01_]+|0o[0-7_]+|\d[\d_]*(?:\.\d[\d_]*(?:[eE][+-]?\d+)?)?")
_OPERATOR = re.compile(r"[+\-*/=<>|&!^~\\.@%:]+")
_SIGIL_START = re.compile(r"~([a-z]|[A-Z][A-Z0-9]*)(\"\"\"|'''|[/|\"'(\[{<])")
_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
OPENERS = {"(", "[", "{", "<<", "do", "fn"}
CLOSERS = {")", "]", "}", ">>", "end"}


@dataclass(frozen=True)
class Token:
    """kind: alias, ident, kw (keyword key such as `points:`), atom, string, number, char, op, punct."""

    kind: str
    text: str
    line: int
    end_line: int


class ScanError(Exception):
    """The cell has an unterminated string, charlist, sigil or heredoc starting at `line`."""

    def __init__(self, line: int, what: str):
        super().__init__(f"unterminated {what}")
        self.line = line
        self.what = what


def scan(source: str) -> list[Token]:
    """Tokens of `source` without comments; raises ScanError on an unterminated literal."""
    return _Lexer(source).run()


class _Lexer:
    def __init__(self, source: str):
        self.src = source
        self.pos = 0
        self.tokens: list[Token] = []

    def line_at(self, pos: int) -> int:
        return self.src.count("\n", 0, pos)

    def emit(self, kind: str, start: int, end: int) -> None:
        self.tokens.append(Token(kind, self.src[start:end], self.line_at(start), self.line_at(end)))
        self.pos = end

    def run(self) -> list[Token]:
        src = self.src
        while self.pos < len(src):
            start, ch = self.pos, src[self.pos]
            if ch in " \t\r\n;":
                self.pos += 1
            elif ch == "#":
                newline = src.find("\n", start)
                self.pos = len(src) if newline < 0 else newline
            elif ch in "\"'":
                self.emit("string", start, self.quoted(start, ch, interpolate=True))
            elif ch == "~" and _SIGIL_START.match(src, start):
                self.emit("string", start, self.sigil(start))
            elif ch == ":" and start + 1 < len(src) and src[start + 1] in "\"'":
                self.emit("atom", start, self.quoted(start + 1, src[start + 1], interpolate=True))
            elif ch == ":" and (m := _IDENT.match(src, start + 1) or _ALIAS.match(src, start + 1)):
                self.emit("atom", start, m.end())
            elif ch == "?" and start + 1 < len(src):
                self.emit("char", start, start + (3 if src[start + 1] == "\\" else 2))
            elif m := _NUMBER.match(src, start):
                self.emit("number", start, m.end())
            elif m := _IDENT.match(src, start):
                is_key = src.startswith(":", m.end()) and not src.startswith("::", m.end())
                self.emit("kw" if is_key else "ident", start, m.end())
                if is_key:
                    self.pos += 1
            elif m := _ALIAS.match(src, start):
                self.emit("alias", start, m.end())
            elif m := _OPERATOR.match(src, start):
                self.emit("op", start, m.end())
            else:
                self.emit("punct", start, start + 1)
        return self.tokens

    def quoted(self, start: int, quote: str, interpolate: bool) -> int:
        """End position of a string/charlist/heredoc opening with `quote` at `start`."""
        src = self.src
        if src.startswith(quote * 3, start):
            end = src.find(quote * 3, src.find("\n", start) if "\n" in src[start:] else len(src))
            if end < 0:
                raise ScanError(self.line_at(start), "heredoc")
            return end + 3
        return self.until(start + 1, quote, interpolate, start)

    def until(self, pos: int, closer: str, interpolate: bool, start: int) -> int:
        src = self.src
        while pos < len(src):
            ch = src[pos]
            if ch == "\\":
                pos += 2
            elif ch == closer:
                return pos + 1
            elif interpolate and src.startswith("#{", pos):
                pos = self.interpolation(pos + 2, start)
            else:
                pos += 1
        raise ScanError(self.line_at(start), "string" if closer in "\"'" else "sigil")

    def interpolation(self, pos: int, start: int) -> int:
        src, depth = self.src, 1
        while pos < len(src):
            ch = src[pos]
            if ch in "\"'":
                pos = self.until(pos + 1, ch, True, start)
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return pos + 1
            pos += 1
        raise ScanError(self.line_at(start), "string interpolation")

    def sigil(self, start: int) -> int:
        match = _SIGIL_START.match(self.src, start)
        letter, delimiter = match.group(1), match.group(2)
        interpolate = letter.islower()
        if len(delimiter) == 3:
            end = self.quoted(match.start(2), delimiter[0], interpolate)
        else:
            end = self.until(match.end(), _PAIRS.get(delimiter, delimiter), interpolate, start)
        while end < len(self.src) and self.src[end].isalpha():
            end += 1
        return end


def depths(tokens: list[Token]) -> list[int]:
    """Nesting depth before each token: `do`/`fn`/brackets open, `end`/closers close."""
    result, depth = [], 0
    for index, token in enumerate(tokens):
        result.append(depth)
        field_access = token.kind == "ident" and index > 0 and tokens[index - 1].text == "."
        if token.kind in ("ident", "punct", "op") and not field_access:
            if token.text in OPENERS:
                depth += 1
            elif token.text in CLOSERS:
                depth = max(depth - 1, 0)
    return result


def first_on_line(tokens: list[Token], index: int) -> bool:
    return index == 0 or tokens[index - 1].end_line < tokens[index].line
