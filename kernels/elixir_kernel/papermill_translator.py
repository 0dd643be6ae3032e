r"""Papermill parameters for Elixir notebooks: Python values -> Elixir literals, and back to help text.

Why this exists: the performance gates are run with papermill, which injects a
cell of `name = value` lines after the cell tagged `parameters`. Papermill
ships translators for Python, R, Julia... but not Elixir, and its generic
string escaping (Python's `unicode_escape`) is wrong for Elixir: it leaves
`#{...}` live (interpolation runs code) and mangles non-ASCII text.

Value mapping (fidelity first):

    str             "..."   with \\ \" \#{ \n \t \r and other control
                            characters escaped; other Unicode kept as is
    bool            true / false
    None            nil
    int             integer (Elixir integers are unbounded)
    float           shortest round-trip form, always with a dot: 1.0e-9
                    (nan and ±inf raise ValueError: BEAM floats cannot hold them)
    list, tuple     list
    dict            map with the keys translated like values: %{"k" => v}.
                    String keys stay strings (never atoms): what the caller
                    passed is what the notebook sees, and no atoms are
                    created from input.
    date, datetime  ~D[...], ~N[...] (naive) or ~U[...] (timezone-aware, as UTC)

Anything else raises TypeError instead of papermill's "str() it" fallback.

Parameter names must be Elixir variable names (`snake_case`, ASCII, optional
trailing `?`/`!`), otherwise ValueError: `Name = 1` would be a match against
an alias, not an assignment.

Registration: papermill 2.7 reads entry points for engines and I/O handlers
but *not* for translators (nteract/papermill#412), so importing this module
registers the translator under the language `elixir`. `ElixirEngine` is the
nbclient engine unchanged; declared as a `papermill.engine` entry point it is
the hook that makes papermill import this module at start-up, CLI included.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata

from papermill.engines import NBClientEngine
from papermill.models import Parameter
from papermill.translators import Translator, papermill_translators

LANGUAGE = "elixir"

_VARIABLE = re.compile(r"[a-z_][a-zA-Z0-9_]*[?!]?\Z")
_RESERVED = frozenset(
    "true false nil when and or not in fn do end catch rescue after else".split()
    + ["__MODULE__", "__DIR__", "__ENV__", "__CALLER__", "__STACKTRACE__", "_"]
)
_NAMED_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def check_variable_name(name: str) -> str:
    """Return `name` if it can be bound by `name = value` in Elixir, else raise ValueError."""
    if not isinstance(name, str) or not _VARIABLE.match(name) or name in _RESERVED:
        raise ValueError(
            f"papermill parameter {name!r} is not a valid Elixir variable name: use "
            "snake_case ASCII starting with a lowercase letter or '_' (e.g. 'sample_count'); "
            "reserved words and '_' cannot be bound"
        )
    return name


def _escape_char(ch: str, following: str) -> str:
    if ch in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[ch]
    if ch == "#" and following == "{":
        return "\\#"  # "\#{x}" is the literal text #{x}; "#{x}" would run code
    category = unicodedata.category(ch)
    if category == "Cs":
        raise ValueError(f"string contains a lone surrogate {ch!r}; it has no UTF-8 encoding")
    if category in ("Cc", "Zl", "Zp"):
        return f"\\u{{{ord(ch):X}}}"  # invisible or line-breaking: spell it out
    return ch


class ElixirTranslator(Translator):
    """Papermill translator emitting Elixir literals; see the module docstring for the mapping."""

    @classmethod
    def translate_escaped_str(cls, str_val):
        text = str(str_val)
        chars = [_escape_char(ch, text[i + 1 : i + 2]) for i, ch in enumerate(text)]
        return '"' + "".join(chars) + '"'

    @classmethod
    def translate_none(cls, val):
        return "nil"

    @classmethod
    def translate_int(cls, val):
        return str(int(val))

    @classmethod
    def translate_float(cls, val):
        if not math.isfinite(val):
            raise ValueError(
                f"cannot pass float {val!r} to Elixir: BEAM floats have no NaN or infinity "
                "(pass a string with `papermill -r NAME VALUE` if that is what you meant)"
            )
        text = repr(float(val))  # shortest form that reads back to the same double
        mantissa, _, exponent = text.partition("e")
        if "." not in mantissa:
            mantissa += ".0"  # Elixir needs digits on both sides of the dot
        return f"{mantissa}e{int(exponent)}" if exponent else mantissa

    @classmethod
    def translate_list(cls, val):
        return "[" + ", ".join(cls.translate(item) for item in val) + "]"

    @classmethod
    def translate_dict(cls, val):
        pairs = ", ".join(f"{cls.translate(k)} => {cls.translate(v)}" for k, v in val.items())
        return "%{" + pairs + "}"

    @classmethod
    def translate_temporal(cls, val):
        if isinstance(val, _dt.datetime):
            if val.tzinfo is None:
                return f"~N[{val.isoformat()}]"
            utc = val.astimezone(_dt.timezone.utc).replace(tzinfo=None)
            return f"~U[{utc.isoformat()}Z]"
        return f"~D[{val.isoformat()}]"

    @classmethod
    def translate(cls, val):
        if isinstance(val, tuple):
            return cls.translate_list(val)
        if isinstance(val, (_dt.date, _dt.datetime)):
            return cls.translate_temporal(val)
        if val is None or isinstance(val, (str, bool, int, float, dict, list)):
            return super().translate(val)
        raise TypeError(f"cannot translate {type(val).__name__} {val!r} to an Elixir literal")

    @classmethod
    def comment(cls, cmt_str):
        return f"# {cmt_str}".strip()

    @classmethod
    def assign(cls, name, str_val):
        return f"{check_variable_name(name)} = {str_val}"

    @classmethod
    def inspect(cls, parameters_cell):
        """Parameters of a `parameters` cell, for `papermill --help-notebook`.

        Reads `name = value  # help` definitions; a value may span lines while
        its brackets are open (the help is the comment of its last line).
        Lines that are not definitions are skipped; this never raises.
        """
        try:
            return [_parameter(*d) for d in _definitions(parameters_cell["source"])]
        except Exception:  # papermill's contract: ignore inspection errors
            return []


class ElixirEngine(NBClientEngine):
    """papermill's nbclient engine, unchanged: its entry point makes papermill import this module."""


_DEFINITION = re.compile(r"\s*([a-z_][a-zA-Z0-9_]*[?!]?)\s*=(?![=~>])\s*(.*)\Z", re.S)


def _split_comment(line: str, depth: int) -> tuple[str, str, int]:
    """(code, comment, bracket depth after the line) for one line, honouring "..." and '...'."""
    quote = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i].rstrip(), line[i + 1 :].strip(), depth
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        i += 1
    return line.rstrip(), "", depth


def _definitions(source: str):
    """Yield (name, value code, help comment) for each top-level `name = value`."""
    current = None  # [name, code parts, comment]
    depth = 0
    for line in source.splitlines():
        code, comment, new_depth = _split_comment(line, depth)
        if depth <= 0:
            match = _DEFINITION.match(code)
            if current and (match or code.strip()):
                yield current[0], _join(current[1]), current[2]
                current = None
            if match:
                current = [match.group(1), [match.group(2)], comment]
        elif current and code.strip():
            current[1].append(code.strip())
            current[2] = comment or current[2]
        depth = new_depth
    if current:
        yield current[0], _join(current[1]), current[2]


def _join(parts: list[str]) -> str:
    text = ""
    for part in parts:
        sep = " " if text.endswith(",") else ""
        text += sep + part.strip()
    return text


_TYPE_BY_PREFIX = [
    (re.compile(r'"'), "String.t()"),
    (re.compile(r"(true|false)\Z"), "boolean()"),
    (re.compile(r"nil\Z"), "nil"),
    (re.compile(r"-?[0-9][0-9_]*\Z"), "integer()"),
    (re.compile(r"-?[0-9][0-9_]*\.[0-9]"), "float()"),
    (re.compile(r"\["), "list()"),
    (re.compile(r"%\{"), "map()"),
    (re.compile(r":"), "atom()"),
    (re.compile(r"~D\["), "Date.t()"),
    (re.compile(r"~N\["), "NaiveDateTime.t()"),
    (re.compile(r"~U\["), "DateTime.t()"),
]


def _parameter(name: str, value: str, help_text: str) -> Parameter:
    type_name = next((t for pattern, t in _TYPE_BY_PREFIX if pattern.match(value)), "None")
    return Parameter(name=name, inferred_type_name=type_name, default=value, help=help_text)


def register() -> None:
    """Make papermill use ElixirTranslator for any kernel whose language is `elixir`."""
    papermill_translators.register(LANGUAGE, ElixirTranslator)


register()
