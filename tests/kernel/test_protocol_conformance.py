"""The Jupyter project's own kernel conformance suite (jupyter_kernel_test), with Elixir samples."""

import unittest

import jupyter_kernel_test


class ElixirKernelConformance(jupyter_kernel_test.KernelTests):
    kernel_name = "elixir"
    language_name = "elixir"
    file_extension = ".ex"

    code_hello_world = 'IO.puts("hello, world")'
    code_stderr = 'IO.puts(:stderr, "to stderr")'
    code_generate_error = 'raise "boom"'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"elixir" |> String.upcase()', "result": '"ELIXIR"'},
        {"code": "%{a: 1}", "result": "%{a: 1}"},
    ]
    code_display_data = [
        {"code": 'ElixirKernel.Display.show(ElixirKernel.Display.html("<b>hi</b>"))', "mime": "text/html"},
        {"code": 'ElixirKernel.Display.show(ElixirKernel.Display.markdown("# hi"))', "mime": "text/markdown"},
        {"code": 'ElixirKernel.Display.show(ElixirKernel.Display.svg("<svg></svg>"))', "mime": "image/svg+xml"},
    ]
    completion_samples = [
        {"text": "Enum.ma", "matches": {"map", "map_every", "map_intersperse", "map_join", "map_reduce", "max", "max_by"}},
        {"text": "String.upc", "matches": {"upcase"}},
    ]
    complete_code_samples = ["1 + 1", "defmodule A do\nend", "IO.puts(:ok)"]
    incomplete_code_samples = ["defmodule A do", "[1, 2", "fn x ->", '"open string']
    invalid_code_samples = ["1 + )", "end"]
    code_inspect_sample = "Enum.map"


if __name__ == "__main__":
    unittest.main()
