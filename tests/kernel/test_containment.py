"""Interrupts, runtime death, stdin and the stderr policy: the kernel never hangs or dies with a cell."""

import pytest


def test_interrupt_stops_a_sleeping_cell_and_keeps_state(fresh_kernel):
    fresh_kernel.execute("survivor = 123\n:ets.new(:kept_table, [:named_table, :public])")
    run = fresh_kernel.execute("Process.sleep(:infinity)", interrupt_after=0.5, timeout=10)
    assert run.status == "error"
    assert run.reply["ename"] == "Interrupted"
    assert run.seconds < 2.5
    assert fresh_kernel.execute("survivor").result == "123"


def test_interrupt_stops_an_output_flood(fresh_kernel):
    run = fresh_kernel.execute('Stream.repeatedly(fn -> IO.puts("flood") end) |> Stream.run()',
                               interrupt_after=0.5, timeout=10)
    assert run.status == "error" and run.seconds < 2.5
    assert fresh_kernel.execute("1 + 1").result == "2"


def test_interrupt_stops_processes_the_cell_spawned(fresh_kernel):
    run = fresh_kernel.execute('spawn(fn -> Stream.repeatedly(fn -> IO.puts("child flood") end) |> Stream.run() end)\n'
                               "Process.sleep(:infinity)", interrupt_after=0.5, timeout=10)
    assert run.status == "error"
    quiet = fresh_kernel.execute("Process.sleep(300)\n:quiet")
    assert "child flood" not in quiet.stdout


def test_system_halt_gives_an_error_and_a_fresh_runtime(fresh_kernel):
    fresh_kernel.execute("lost = 1")
    run = fresh_kernel.execute("System.halt(1)")
    assert run.status == "error"
    assert run.reply["ename"] == "RuntimeExited"
    assert "state was lost" in run.reply["evalue"]
    assert fresh_kernel.kc.is_alive()
    assert fresh_kernel.execute("1 + 1").result == "2"
    assert fresh_kernel.execute("lost").reply["ename"] == "CompileError"


def test_a_cell_that_eats_memory_is_stopped_and_state_kept():
    import os

    from kernel_driver import KernelDriver

    driver = KernelDriver(env={**os.environ, "ELIXIR_KERNEL_MAX_HEAP_MB": "200"})
    try:
        driver.execute("kept = :yes")
        run = driver.execute("Enum.reduce(1..1_000_000_000, [], fn i, acc -> [i | acc] end)", timeout=60)
        assert run.status == "error"
        assert run.reply["ename"] == "MemoryLimitExceeded"
        assert "200 MB" in run.reply["evalue"]
        assert driver.execute("kept").result == ":yes"
    finally:
        driver.shutdown()


def test_out_of_memory_death_of_the_runtime_is_contained():
    # Binaries live outside process heaps: this grows until the BEAM cannot
    # allocate (its address space is capped) and dies.
    import os

    from kernel_driver import KernelDriver

    driver = KernelDriver(env={**os.environ, "ELIXIR_KERNEL_MEMORY_LIMIT_MB": "4096"})
    try:
        run = driver.execute("Enum.map(1..200, fn i -> :binary.copy(<<i>>, 100_000_000) end)", timeout=120)
        assert run.status == "error"
        assert run.reply["ename"] == "RuntimeExited"
        assert driver.km.is_alive()
        assert driver.execute("1 + 1").result == "2"
    finally:
        driver.shutdown()


def test_io_gets_is_eof_without_stdin(kernel):
    run = kernel.execute('IO.gets("name? ")')
    assert run.status == "ok" and run.result == ":eof"


def test_io_gets_asks_the_frontend_when_stdin_is_allowed(kernel):
    prompts = []

    def answer(request):
        prompts.append(request["prompt"])
        return "Ada ✓"

    run = kernel.execute('name = IO.gets("Your name? ")\nString.trim(name)', allow_stdin=True, on_input=answer)
    assert prompts == ["Your name? "]
    assert run.result == '"Ada ✓"'


def test_warnings_and_logger_reach_stderr_interactively(kernel):
    run = kernel.execute('defmodule Warns do\n  def f(x), do: 1\nend\nrequire Logger\nLogger.error("logged!")\n'
                         'IO.puts(:stderr, "to stderr")\nProcess.sleep(100)')
    assert 'variable "x" is unused' in run.stderr
    assert "logged!" in run.stderr and "to stderr" in run.stderr


def test_grading_runs_keep_stderr_empty(grading_kernel):
    run = grading_kernel.execute('defmodule Warns do\n  def f(x), do: 1\nend\nrequire Logger\nLogger.error("logged!")\n'
                                 'IO.puts(:stderr, "to stderr")\nProcess.sleep(100)\n1.0')
    assert run.stderr == ""
    assert 'variable "x" is unused' in run.stdout and "logged!" in run.stdout
    assert run.result == "1.0"


def test_mix_install_fails_fast_and_clearly_without_hex(kernel):
    run = kernel.execute('Mix.install([{:jason, "~> 1.4"}])', timeout=30)
    assert run.status == "error"
    assert run.seconds < 10
    assert "Hex" in run.reply["evalue"] and "cannot reach" in run.reply["evalue"]


def test_a_shut_down_kernel_exits_by_itself_every_time():
    """nbclient and nbgrader ask politely (shutdown_request), then wait for the
    process; a kernel that lingers costs every graded notebook seconds. ipykernel
    7's closing race used to leave about one in six shutdowns hanging."""
    import time

    from kernel_driver import KernelDriver

    for attempt in range(8):
        driver = KernelDriver()
        try:
            assert driver.execute("1 + 1").result == "2"
            driver.kc.shutdown()
            deadline = time.monotonic() + 10
            while driver.km.is_alive() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert not driver.km.is_alive(), f"attempt {attempt + 1}: still running 10 s after shutdown_request"
        finally:
            driver.shutdown()
