"""Cells carry state like IEx; output streams while a cell runs; errors are readable."""


def test_bindings_modules_aliases_imports_requires_carry_across_cells(kernel):
    assert kernel.execute("x = 41").status == "ok"
    assert kernel.execute("defmodule Carry do\n  def inc(n), do: n + 1\nend").status == "ok"
    assert kernel.execute("alias Carry, as: C\nimport Integer, only: [is_even: 1]\nrequire Logger").status == "ok"
    run = kernel.execute("{C.inc(x), is_even(x + 1)}")
    assert run.status == "ok"
    assert run.result == "{42, true}"


def test_a_failed_cell_leaves_earlier_state_intact(kernel):
    kernel.execute("kept = :before")
    failed = kernel.execute("kept = :changed\nraise \"boom\"")
    assert failed.status == "error"
    assert kernel.execute("kept").result == ":before"


def test_stdout_streams_while_the_cell_runs(kernel):
    code = 'IO.puts("first")\nProcess.sleep(600)\nIO.puts("second")'
    msg_id = kernel.kc.execute(code)
    first_seen = None
    import time
    start = time.monotonic()
    while True:
        msg = kernel.kc.get_iopub_msg(timeout=10)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream" and "first" in msg["content"]["text"] and first_seen is None:
            first_seen = time.monotonic() - start
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    kernel.kc.get_shell_msg(timeout=10)
    assert first_seen is not None and first_seen < 0.5, "output should arrive before the cell ends"


def test_output_of_spawned_processes_lands_in_the_cell(kernel):
    run = kernel.execute('task = Task.async(fn -> IO.puts("from a task") end)\nTask.await(task)\n'
                         'spawn(fn -> IO.puts("from spawn") end)\nProcess.sleep(100)')
    assert "from a task" in run.stdout and "from spawn" in run.stdout


def test_unicode_is_intact(kernel):
    run = kernel.execute('IO.puts("héllo wörld — 日本語 🎉")\n"ünïcode ✓"')
    assert run.stdout == "héllo wörld — 日本語 🎉\n"
    assert run.result == '"ünïcode ✓"'


def test_huge_results_are_truncated_not_fatal(kernel):
    run = kernel.execute('String.duplicate("x", 5_000_000)')
    assert run.status == "ok"
    assert len(run.result) < 200_000
    big = kernel.execute("Enum.to_list(1..2_000_000)")
    assert big.status == "ok" and "..." in big.result
    assert kernel.execute("1 + 1").result == "2"


def test_huge_output_is_capped_with_a_notice(kernel):
    run = kernel.execute('Enum.each(1..200_000, fn i -> IO.puts("line #{i} " <> String.duplicate("y", 40)) end)')
    assert run.status == "ok"
    assert len(run.stdout) < 1_200_000
    assert "output truncated" in run.stdout


def test_runtime_error_names_the_cell_line(kernel):
    run = kernel.execute("a = 1\nb = 2\nraise ArgumentError, \"bad input\"")
    assert run.status == "error"
    assert run.reply["ename"] == "ArgumentError"
    assert run.reply["evalue"] == "bad input"
    assert any(":3" in line for line in run.reply["traceback"])
    [error] = run.of_type("error")
    assert error["ename"] == "ArgumentError"


def test_errors_inside_functions_show_the_cell_frame(kernel):
    kernel.execute("defmodule Deep do\n  def f(x), do: g(x)\n  defp g(x), do: 1 / x\nend")
    run = kernel.execute("Deep.f(0)", )
    assert run.reply["ename"] == "ArithmeticError"
    text = "\n".join(run.reply["traceback"])
    assert "Deep" in text and "cell-" in text
    assert "erl_eval" not in text and "ElixirKernel" not in text


def test_throw_and_exit_are_errors(kernel):
    thrown = kernel.execute("throw {:oops, 1}")
    assert (thrown.status, thrown.reply["ename"], thrown.reply["evalue"]) == ("error", "throw", "{:oops, 1}")
    exited = kernel.execute("exit(:bye)")
    assert (exited.status, exited.reply["ename"]) == ("error", "exit")


def test_syntax_and_compile_errors(kernel):
    syntax = kernel.execute("[1, 2")
    assert syntax.reply["ename"] == "TokenMissingError"
    assert "cell-" in syntax.reply["evalue"]
    compile = kernel.execute("defmodule Broken do\n  def f, do: nope()\nend")
    assert compile.reply["ename"] == "CompileError"
    assert ":2:" in compile.reply["evalue"] and "nope/0" in compile.reply["evalue"]


def test_empty_cell_is_ok(kernel):
    assert kernel.execute("   \n").status == "ok"
    assert kernel.execute("# just a comment").status == "ok"


def test_elixirs_own_lib_dir_is_found_past_the_course_helpers(kernel):
    # The course's preloaded helpers are on the code path too; a folder of theirs
    # named like an OTP application would shadow it (lesson 08 relies on this).
    run = kernel.execute(':code.lib_dir(:elixir) |> Path.join("ebin/elixir.app") |> File.exists?()')
    assert run.result == "true", run.stderr
    assert kernel.execute("Grade.__info__(:module)").result == "Grade"
