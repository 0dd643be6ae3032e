"""Completion, inspection and is_complete: answered by parsing, never by running code."""


def test_completes_remote_functions(kernel):
    reply = kernel.request("complete", "Enum.ma", 7)
    assert "map" in reply["matches"] and "max" in reply["matches"]
    assert reply["cursor_start"] == 5 and reply["cursor_end"] == 7


def test_completes_modules_variables_and_attributes(kernel):
    kernel.execute("my_variable = 1\ndefmodule MyCompletedModule do\nend")
    assert "my_variable" in kernel.request("complete", "my_va", 5)["matches"]
    assert "MyCompletedModule" in kernel.request("complete", "MyComp", 6)["matches"]
    assert "Enum" in kernel.request("complete", "Enu", 3)["matches"]
    code = "defmodule A do\n  @timeout 5000\n  def f, do: @ti"
    reply = kernel.request("complete", code, len(code))
    assert "timeout" in reply["matches"]
    assert "moduledoc" in kernel.request("complete", "@module", 7)["matches"]


def test_completes_erlang_modules(kernel):
    assert "ets" in kernel.request("complete", ":et", 3)["matches"]
    assert "lookup" in kernel.request("complete", ":ets.look", 9)["matches"]


def test_inspection_shows_docs_as_markdown(kernel):
    reply = kernel.request("inspect", "Enum.map([1], & &1)", 7)
    assert reply["found"]
    assert "Enum.map(enumerable, fun)" in reply["data"]["text/markdown"]
    missing = kernel.request("inspect", "NoSuchModuleHere.f()", 3)
    assert not missing["found"]


def test_is_complete_parses_only(kernel):
    assert kernel.request("is_complete", "defmodule A do")["status"] == "incomplete"
    assert kernel.request("is_complete", "1 + 1")["status"] == "complete"
    assert kernel.request("is_complete", "1 + )")["status"] == "invalid"
    # Parsing only: this would halt the runtime if it were evaluated.
    assert kernel.request("is_complete", "System.halt(0)")["status"] == "complete"
    assert kernel.execute("1").status == "ok"
