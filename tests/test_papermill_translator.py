"""The papermill translator for Elixir: values survive the trip Python -> Elixir source -> BEAM term.

Why: a performance gate receives its parameters (a submission path, sample
counts, options) through papermill. A wrong escape silently changes what the
gate measures, and an unescaped `#{...}` runs code in the grading kernel.

Every translated snippet is evaluated by one `elixir` process (fast), which
sends the resulting bindings back as Erlang external terms, so the comparison
is exact: strings must come back as the same UTF-8 binaries, floats as the
same doubles, integers as integers. Then papermill itself runs a notebook on
the real `elixir` kernel, through its Python API and its CLI.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import erlang
import nbformat
import papermill
import pytest
from papermill.translators import papermill_translators, translate_parameters

from elixir_kernel.papermill_translator import ElixirTranslator

BIN = Path(sys.executable).parent

TRICKY = 'a"#{b}\\ \n\tü 😀'
CASES = {
    "interpolation": {"s": "#{x}"},
    "interpolation_that_would_raise": {"s": '#{raise "boom"}'},
    "escaped_backslash_then_interpolation": {"s": "\\#{x}"},
    "hash_alone": {"s": "# not a comment #", "t": "#", "u": "}#{"},
    "double_quotes": {"s": 'say "hi"', "t": '"'},
    "backslashes": {"s": "C:\\path\\n", "t": "\\", "u": "\\\\"},
    "whitespace_controls": {"s": "line1\nline2\r\n\tend", "t": "\x00\x07\x08\x0b\x0c\x1b\x7f\x85"},
    "unicode": {"s": "héllo wörld — ü ß 中文 שלום e\u0301", "t": "😀👨\u200d👩\u200d👧🏳️\u200d🌈"},
    "line_separators": {"s": "a\u2028b\u2029c"},
    "empty_string": {"s": ""},
    "tricky": {"name": TRICKY},
    "nil_and_bools": {"a": None, "b": True, "c": False},
    "integers": {"a": 0, "b": -5, "c": 2**100, "d": -(2**64)},
    "floats": {"a": 0.1, "b": 1e-9, "c": 1e16, "d": 2.0, "e": -0.0, "f": 5e-324,
               "g": sys.float_info.max, "h": -123456789.125, "i": 1.5e300},
    "lists": {"a": [], "b": [1, "two", 3.0, None, [True, []]], "c": [104, 105]},
    "tuple_becomes_list": {"a": (1, ("x", 2.5))},
    "maps": {"a": {}, "b": {"k": "v", "n": None, "nested": {"list": [1, {"x": "#{y}"}]}},
             "c": {1: "int key", "1": "string key"}},
    "dates": {"d": dt.date(2024, 2, 29), "n": dt.datetime(2024, 1, 2, 3, 4, 5, 600000),
              "u": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))},
    "names": {"_private": 1, "x?": 2, "ok!": 3, "snake_case_2": 4},
}

ROUND_TRIP = r'''
defmodule RoundTrip do
  def norm(%Date{} = d), do: {:temporal, "Date", Date.to_iso8601(d)}
  def norm(%NaiveDateTime{} = d), do: {:temporal, "NaiveDateTime", NaiveDateTime.to_iso8601(d)}
  def norm(%DateTime{} = d), do: {:temporal, "DateTime", DateTime.to_iso8601(d)}
  def norm(m) when is_map(m), do: Map.new(m, fn {k, v} -> {norm(k), norm(v)} end)
  def norm(l) when is_list(l), do: Enum.map(l, &norm/1)
  def norm(x), do: x

  def run(path) do
    {_, binding} = Code.eval_string(File.read!(path), [], file: Path.basename(path))
    {:ok, Map.new(binding, fn {k, v} -> {Atom.to_string(k), norm(v)} end)}
  catch
    kind, reason -> {:error, Exception.format(kind, reason, __STACKTRACE__)}
  end
end

[dir] = System.argv()
results = for path <- Path.wildcard(Path.join(dir, "*.exs")), into: %{},
  do: {Path.basename(path, ".exs"), RoundTrip.run(path)}
File.write!(Path.join(dir, "results.bin"), :erlang.term_to_binary(results))
'''


class Atom(str):
    """An Erlang atom decoded from a term (distinct from a string of the same text)."""


def from_term(term):
    """Erlang external term (as decoded by erlang_py) -> plain Python values."""
    if isinstance(term, erlang.OtpErlangBinary):
        return term.value.decode("utf-8")  # strict: an Elixir string must be valid UTF-8
    if isinstance(term, erlang.OtpErlangAtom):
        name = term.value.decode("utf-8")
        return None if name == "nil" else Atom(name)
    if isinstance(term, bytes):  # a list of small integers travels as STRING_EXT
        return list(term)
    if isinstance(term, dict):
        return {from_term(k): from_term(v) for k, v in term.items()}
    if isinstance(term, list):
        return [from_term(x) for x in term]
    if isinstance(term, tuple):
        return tuple(from_term(x) for x in term)
    return term  # int, float, bool


def expected(value):
    """What the BEAM should hold for a Python parameter (after RoundTrip.norm)."""
    if isinstance(value, (list, tuple)):
        return [expected(x) for x in value]
    if isinstance(value, dict):
        return {expected(k): expected(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return (Atom("temporal"), "NaiveDateTime", value.isoformat())
        utc = value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat()
        return (Atom("temporal"), "DateTime", utc + "Z")
    if isinstance(value, dt.date):
        return (Atom("temporal"), "Date", value.isoformat())
    return value


def assert_same(got, want, where="value"):
    """Equality that also tells 1 from 1.0, -0.0 from 0.0 and "a" from :a."""
    assert type(got) is type(want), f"{where}: {got!r} is a {type(got).__name__}, want {want!r}"
    if isinstance(want, dict):
        assert set(got) == set(want), f"{where}: keys {set(got)} != {set(want)}"
        for key in want:
            assert_same(got[key], want[key], f"{where}[{key!r}]")
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), f"{where}: {got!r} != {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert repr(got) == repr(want) and math.copysign(1, got) == math.copysign(1, want), (
            f"{where}: {got!r} != {want!r}")
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    """{case id: (translated code, {"ok"|"error", bindings|message})}, from one `elixir` run."""
    folder = tmp_path_factory.mktemp("elixir_round_trip")
    codes = {}
    for case, params in CASES.items():
        codes[case] = ElixirTranslator.codify(params)
        (folder / f"{case}.exs").write_text(codes[case], encoding="utf-8")
    run = subprocess.run(["elixir", "-e", ROUND_TRIP, str(folder)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == "", f"evaluating the translated code printed to stderr:\n{run.stderr}"
    results = from_term(erlang.binary_to_term((folder / "results.bin").read_bytes()))
    return {case: (codes[case], results[case]) for case in CASES}


@pytest.mark.parametrize("case", CASES)
def test_translated_code_evaluates_back_to_the_same_values(evaluated, case):
    code, (status, payload) = evaluated[case]
    assert status == "ok", f"Elixir rejected:\n{code}\n{payload}"
    assert_same(payload, expected(CASES[case]), where=case)


def test_strings_are_readable_not_escaped_wholesale():
    assert ElixirTranslator.translate("é 😀 中文") == '"é 😀 中文"'
    assert ElixirTranslator.translate(TRICKY) == r'"a\"\#{b}\\ \n\tü 😀"'
    assert ElixirTranslator.translate("#x # y") == '"#x # y"'
    # invisible or line-breaking characters are spelled out, so the injected cell shows them
    assert ElixirTranslator.translate("\x00\x1b\x7f\u2028") == r'"\u{0}\u{1B}\u{7F}\u{2028}"'


def test_floats_use_elixir_syntax():
    assert [ElixirTranslator.translate(x) for x in (1e-9, 0.1, 1e16, 2.0)] == [
        "1.0e-9", "0.1", "1.0e16", "2.0"]


def test_codify_writes_a_comment_then_one_assignment_per_line():
    assert ElixirTranslator.codify({"name": "x", "n": 1, "opts": {"k": [1, None]}}) == (
        '# Parameters\nname = "x"\nn = 1\nopts = %{"k" => [1, nil]}\n')


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, [1.0, math.nan]])
def test_nan_and_infinity_are_refused(value):
    with pytest.raises(ValueError, match="NaN or infinity"):
        ElixirTranslator.translate(value)


@pytest.mark.parametrize("name", ["Name", "my-var", "1x", "nil", "when", "do", "_", "__MODULE__",
                                  "café", "x y", ""])
def test_names_that_are_not_elixir_variables_are_refused(name):
    with pytest.raises(ValueError, match="not a valid Elixir variable name"):
        ElixirTranslator.codify({name: 1})


@pytest.mark.parametrize("value", [{1, 2}, object(), b"bytes", 1 + 2j])
def test_unsupported_types_are_refused(value):
    with pytest.raises(TypeError, match="cannot translate"):
        ElixirTranslator.translate(value)


def test_lone_surrogates_are_refused():
    with pytest.raises(ValueError, match="surrogate"):
        ElixirTranslator.translate("\ud800")


def test_papermill_finds_the_translator_by_language_and_entry_point():
    assert papermill_translators.find_translator("any-elixir-kernel", "elixir") is ElixirTranslator
    assert translate_parameters("elixir", "elixir", {"n": 1}) == "# Parameters\nn = 1\n"
    (point,) = [e for e in entry_points(group="papermill.translators") if e.name == "elixir"]
    assert point.load() is ElixirTranslator


PARAMETERS_CELL = '''# Parameters
samples = 10_000 # how many samples to take
name = "a#b" # who; the '#' in the string is not a comment
ratio = 0.5
flags = [
  true, # first
  nil
] # options, on several lines
opts = %{"k" => 1}
submission = ""
'''


def test_inspect_reads_name_value_help_lines():
    params = ElixirTranslator.inspect(nbformat.v4.new_code_cell(PARAMETERS_CELL))
    got = [(p.name, p.inferred_type_name, p.default, p.help) for p in params]
    assert got == [
        ("samples", "integer()", "10_000", "how many samples to take"),
        ("name", "String.t()", '"a#b"', "who; the '#' in the string is not a comment"),
        ("ratio", "float()", "0.5", ""),
        ("flags", "list()", "[true, nil]", "options, on several lines"),
        ("opts", "map()", '%{"k" => 1}', ""),
        ("submission", "String.t()", '""', ""),
    ]


def test_inspect_never_raises():
    assert ElixirTranslator.inspect({"source": 'IO.puts "hi"\nx == 1\n"unterminated'}) == []
    assert ElixirTranslator.inspect({}) == []


# --- papermill on the real `elixir` kernel -------------------------------------------------

DEFAULTS = 'name = "x"\nn = 1\nratio = 0.5\nflags = []\nopts = %{}\n'
SHOW_NAME = "IO.puts(name)"
SHOW_TERM = ('IO.puts("TERM:" <> Base.encode64(:erlang.term_to_binary('
             '%{"name" => name, "n" => n, "ratio" => ratio, "flags" => flags, "opts" => opts})))')


def write_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "elixir", "language": "elixir", "display_name": "Elixir"}
    nb.metadata["language_info"] = {"name": "elixir"}
    nb.cells = [
        nbformat.v4.new_code_cell(DEFAULTS, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(SHOW_NAME),
        nbformat.v4.new_code_cell(SHOW_TERM),
    ]
    nbformat.write(nb, path)
    return path


def stdout_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def read_run(path: Path):
    """(injected cell, stdout of `IO.puts(name)`, decoded parameter term) of an executed notebook."""
    nb = nbformat.read(path, as_version=4)
    (injected,) = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    show_name, show_term = nb.cells[-2], nb.cells[-1]
    (line,) = [ln for ln in stdout_of(show_term).splitlines() if ln.startswith("TERM:")]
    term = from_term(erlang.binary_to_term(base64.b64decode(line[len("TERM:"):])))
    return injected, stdout_of(show_name), term


def test_papermill_api_run_on_the_elixir_kernel(tmp_path):
    params = {"name": TRICKY, "n": 42, "ratio": 1e-9, "flags": [True, None, 2.5],
              "opts": {"k": [1, 2.5], "nested": {"x": "#{y}"}}}
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(write_notebook(tmp_path / "in.ipynb")), str(out),
                               parameters=params, kernel_name="elixir", progress_bar=False,
                               start_timeout=120, execution_timeout=120)
    injected, shown, term = read_run(out)
    assert injected.source == ElixirTranslator.codify(params)
    assert shown == TRICKY + "\n"
    assert_same(term, expected(params), where="parameters in the kernel")


def run_papermill_cli(*args: str) -> subprocess.CompletedProcess:
    """The `papermill` command in a fresh process: only entry points can bring our translator in."""
    run = subprocess.run([str(BIN / "papermill"), *args], capture_output=True, text=True, timeout=300)
    hint = ""
    if "No parameter translator functions specified" in run.stderr:
        hint = ("papermill never imported elixir_kernel.papermill_translator: it loads no "
                "translator entry points, so pyproject.toml must declare "
                '[project.entry-points."papermill.engine"] '
                'elixir = "elixir_kernel.papermill_translator:ElixirEngine" (then pip install -e .)\n')
    assert run.returncode == 0, hint + run.stderr
    return run


def test_papermill_cli_run_on_the_elixir_kernel(tmp_path):
    out = tmp_path / "out.ipynb"
    run_papermill_cli(
        str(write_notebook(tmp_path / "in.ipynb")), str(out),
        "-p", "name", 'a"#{b}', "-p", "n", "7", "-p", "ratio", "0.25",
        "-y", "flags: [true, null]\nopts: {k: [1, 2], s: '#{x}'}",
        "--start-timeout", "120", "--execution-timeout", "120", "--no-progress-bar")
    _, shown, term = read_run(out)
    assert shown == 'a"#{b}\n'
    assert_same(term, {"name": 'a"#{b}', "n": 7, "ratio": 0.25, "flags": [True, None],
                       "opts": {"k": [1, 2], "s": "#{x}"}}, where="parameters in the kernel")


def test_papermill_cli_help_notebook_lists_parameters(tmp_path):
    run = run_papermill_cli(str(write_notebook(tmp_path / "in.ipynb")), "--help-notebook")
    assert '  name: String.t() (default "x")' in run.stdout
    assert "  n: integer() (default 1)" in run.stdout
    assert "  opts: map() (default %{})" in run.stdout
